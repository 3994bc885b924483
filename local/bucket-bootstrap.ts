import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../shared/storage/artifact-store.ts';

/** Creates the artifact bucket unless it exists; says which. Credentials come from the environment. */
export async function ensureBucket(endpoint: string, region: string, bucket: string): Promise<'created' | 'existing'> {
  const s3 = createS3Client({ region, endpoint });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return 'created';
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return 'existing';
    throw error;
  } finally {
    s3.destroy();
  }
}
