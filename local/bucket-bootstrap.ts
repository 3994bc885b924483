import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Creates the artifact bucket unless it exists; says which. Credentials come from the environment.
 * Either way the bucket lets a browser read objects through presigned URLs from
 * any origin (the web app's artifact previews; locally the app's port is not
 * known yet, and the presigned URL is what grants access). In AWS the
 * bucket's CORS names the app's CloudFront origin instead.
 */
export async function ensureBucket(endpoint: string, region: string, bucket: string): Promise<'created' | 'existing'> {
  // The SDK's client: bucket administration is local-only, so its weight never reaches a function.
  const s3 = new S3Client({ region, endpoint, forcePathStyle: true });
  try {
    let status: 'created' | 'existing' = 'created';
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      status = 'existing';
    }
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], MaxAgeSeconds: 3000 },
          ],
        },
      }),
    );
    return status;
  } finally {
    s3.destroy();
  }
}
