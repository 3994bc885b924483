import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy, otherSecurityHeaders } from '../../web/security-headers.ts';

export interface WebAppProps {
  /** The built app: `npm run setup` builds web/dist. */
  distDirectory: string;
  /** Where the app bucket's S3 server access logs go (the artifacts' log bucket). */
  accessLogs: IBucket;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** Paths without a file extension are the single-page app (web/security-headers.ts `isAppRoute`). */
const appRoutesFunction = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (!/\\.[A-Za-z0-9]+$/.test(last)) request.uri = '/index.html';
  return request;
}`;

/**
 * The web UI: the static build of web/ in a private bucket that only
 * CloudFront reads (origin access control), served over HTTPS only with the
 * security headers the local server sends too (web/security-headers.ts). A
 * `config.json` beside index.html names the API, so one build runs locally and
 * in AWS. The API's and the artifacts bucket's CORS allow `origin`, and nothing
 * else unless configured.
 *
 * The CSP names the API and the artifact store by their region's AWS host
 * patterns (`https://*.execute-api.<region>.amazonaws.com`,
 * `https://*.s3.<region>.amazonaws.com`) instead of the exact hosts: their
 * CORS names this distribution, so naming them here would make each depend on
 * the other, a cycle CloudFormation cannot create. Scripts still come only
 * from the app's own origin.
 */
export class WebApp extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<id>.cloudfront.net`. */
  readonly origin: string;
  readonly url: string;
  readonly securityHeaders: ResponseHeadersPolicy;
  private readonly props: WebAppProps;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    this.props = props;
    if (!existsSync(join(props.distDirectory, 'index.html'))) {
      throw new Error(`the web UI is not built (no ${props.distDirectory}/index.html): run \`npm run setup\``);
    }
    const region = Stack.of(this).region;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'web/',
      removalPolicy: props.removalPolicy,
    });

    const artifactHosts = `https://*.s3.${region}.amazonaws.com`;
    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Stratus web UI: a strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: contentSecurityPolicy({
            connectOrigins: [`https://*.execute-api.${region}.amazonaws.com`, artifactHosts],
            imageOrigins: [artifactHosts],
            upgradeInsecureRequests: true,
          }),
        },
        strictTransportSecurity: { override: true, accessControlMaxAge: Duration.days(365), includeSubdomains: true },
        contentTypeOptions: { override: true },
        frameOptions: { override: true, frameOption: HeadersFrameOption.DENY },
        referrerPolicy: { override: true, referrerPolicy: HeadersReferrerPolicy.NO_REFERRER },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Cross-Origin-Opener-Policy',
            value: otherSecurityHeaders['cross-origin-opener-policy'],
            override: true,
          },
          { header: 'Permissions-Policy', value: otherSecurityHeaders['permissions-policy'], override: true },
        ],
      },
    });

    const appRoutes = new CloudFrontFunction(this, 'AppRoutes', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Stratus web UI: app routes are index.html',
      code: FunctionCode.fromInline(appRoutesFunction),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Stratus web UI',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        compress: true,
        functionAssociations: [{ function: appRoutes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;

    const acknowledge = (ruleId: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: `AwsSolutions-${ruleId}`, reason });
    acknowledge(
      'CFR1',
      'No geo restriction: who may use the UI is decided by API tokens on every call, and teams train from anywhere.',
    );
    acknowledge(
      'CFR2',
      'No WAF: the distribution serves the static app only, every API call is authenticated by the API itself, and a web ACL would cost more per month than an idle Stratus deployment.',
    );
    acknowledge(
      'CFR3',
      'No CloudFront access logs: standard logging needs an ACL-enabled bucket, the files served are the public app code, and every API call the app makes is logged by API Gateway.',
    );
    acknowledge(
      'CFR4',
      'The default *.cloudfront.net certificate fixes the viewer TLS policy itself; viewers are HTTPS-only and CloudFront reaches the bucket over TLS with origin access control.',
    );
  }

  /**
   * Uploads the build, then index.html and the `config.json` naming the API
   * (never cached, and refreshed in CloudFront on each deploy). Hashed assets
   * are kept across deploys, so a page loaded before a deploy keeps working.
   * The upload function's role is this construct's own, with exactly the
   * actions it needs (no managed policy, no wildcard action).
   */
  publish(apiUrl: string) {
    const stack = Stack.of(this);
    const logGroup = new LogGroup(this, 'DeployLogs', {
      retention: this.props.logRetention,
      removalPolicy: this.props.removalPolicy,
    });
    const stagedAssets = `arn:${stack.partition}:s3:::cdk-*-assets-${stack.account}-${stack.region}/*`;
    const uiObjects = this.bucket.arnForObjects('*');
    const role = new Role(this, 'DeployRole', {
      description: 'Stratus web UI: copies the build into its bucket and refreshes CloudFront',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        deploy: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
            // The build's zip, staged by `cdk deploy` in the bootstrap assets bucket.
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [stagedAssets] }),
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
            new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [uiObjects] }),
            new PolicyStatement({
              actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
              resources: [
                `arn:${stack.partition}:cloudfront::${stack.account}:distribution/${this.distribution.distributionId}`,
              ],
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(stack, uiObjects)}]`,
      reason:
        'The upload writes every file of the build, under names that change with each build, into this one bucket that holds nothing but the UI; GetObject and PutObject only.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(stack, stagedAssets)}]`,
      reason:
        "The build's zip is staged by `cdk deploy` in the CDK bootstrap assets bucket of this account and region under a content-hash key; GetObject only.",
    });
    // The role is complete as written: BucketDeployment's own grants (wildcard actions) are not added to it.
    const fixedRole = role.withoutPolicyUpdates();
    const dist = this.props.distDirectory;
    const assets = new BucketDeployment(this, 'Assets', {
      sources: [Source.asset(dist, { exclude: ['index.html', 'config.json', 'bundle-size.json'] })],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: false,
      role: fixedRole,
      logGroup,
    });
    const shell = new BucketDeployment(this, 'Shell', {
      sources: [
        Source.data('index.html', readFileSync(join(dist, 'index.html'), 'utf8')),
        Source.jsonData('config.json', { api_url: apiUrl }),
      ],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.noCache()],
      prune: false,
      role: fixedRole,
      logGroup,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
    });
    shell.node.addDependency(assets);
    // The upload function BucketDeployment brings (one for the stack, shared by both deployments).
    for (const construct of stack.node.findAll()) {
      if (construct.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(construct).acknowledge({
          id: 'AwsSolutions-L1',
          reason:
            "BucketDeployment's upload function runs on the Python runtime aws-cdk-lib pins for its bundled AWS CLI layer; it runs only during deploys and is updated with aws-cdk-lib.",
        });
      }
    }
    return { assets, shell };
  }
}

/**
 * A policy resource as cdk-nag names it in a finding (its `flattenCfnReference`):
 * joins flattened, `Ref` as `<Name>`, `GetAtt` as `<Resource.Attribute>`. An
 * acknowledgement must name it exactly, and the name differs with the stack's
 * environment: `<AWS::Region>` when synthesized environment-agnostic,
 * `eu-west-1` when the CLI knows the region (`npm run synth` with a profile).
 * So it is derived from the resource as resolved in this stack, never written out.
 */
function nagResourceName(stack: Stack, resource: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const value = node as Record<string, unknown>;
    if (value['Fn::Join']) {
      const [delimiter, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if (value['Fn::GetAtt']) return `<${(value['Fn::GetAtt'] as string[]).join('.')}>`;
    if (value.Ref) return `<${value.Ref as string}>`;
    throw new Error(`no cdk-nag name for ${JSON.stringify(node)}`);
  };
  return flatten(stack.resolve(resource));
}
