import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { bucketMetricsFilterId } from './alarms.ts';

export interface ArtifactsBucketProps {
  removalPolicy: RemovalPolicy;
  /** Web UI origins allowed to PUT and GET through presigned URLs. */
  corsOrigins: readonly string[];
  abortMultipartUploadDays: number;
  noncurrentVersionDays: number;
  /** How long the bucket's server access logs are kept. */
  accessLogDays: number;
}

/**
 * The artifacts bucket: private, TLS only, encrypted, versioned (a replaced or
 * deleted artifact can be recovered for a while), with a lifecycle that frees
 * abandoned multipart uploads, and server access logs in a bucket of their own.
 * Clients reach objects only through presigned URLs the service signs.
 */
export class ArtifactsBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: ArtifactsBucketProps) {
    super(scope, id);
    // Log delivery through the logs bucket's policy rather than ACLs, which stay disabled.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery supports S3-managed keys only, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogDays) }],
      removalPolicy: props.removalPolicy,
    });
    // No access logs of its own: it is the log destination, which cdk-nag's S1 accepts as such.

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Request metrics (4xx/5xx, latency) for the 5xx alarm; billed like custom metrics, only while requests flow.
      metrics: [{ id: bucketMetricsFilterId }],
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(props.abortMultipartUploadDays),
        },
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays) },
      ],
      cors:
        props.corsOrigins.length === 0
          ? undefined
          : [
              {
                allowedOrigins: [...props.corsOrigins],
                allowedMethods: [HttpMethods.GET, HttpMethods.PUT, HttpMethods.HEAD],
                // Presigned uploads carry the content type and checksum headers they were signed with.
                allowedHeaders: ['content-type', 'content-length', 'content-md5', 'x-amz-*'],
                exposedHeaders: ['etag', 'x-amz-version-id'],
                maxAge: 3000,
              },
            ],
      removalPolicy: props.removalPolicy,
    });
  }

  /** Lets pages of `origin` (the web UI) read objects through presigned URLs, for artifact previews. */
  allowBrowserReads(origin: string) {
    this.bucket.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: [HttpMethods.GET, HttpMethods.HEAD],
      maxAge: 3000,
    });
  }
}
