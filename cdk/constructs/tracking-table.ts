import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  globalIndexes,
  globalIndexesWith,
  keyAttributeType,
  tableKeys,
} from '../../shared/storage/table-definition.ts';

export interface TrackingTableProps {
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
  removalPolicy: RemovalPolicy;
  /** Metric slot GSIs (shared/storage/table-definition.ts): CloudFormation adds one a deployment. */
  metricIndexSlots: number;
}

const attributeTypes = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;
const attributeType = attributeTypes[keyAttributeType];

/**
 * The single tracking table, on-demand, with its keys and every GSI taken from
 * shared/storage/table-definition.ts: the local stack creates its table from
 * the same definition, so an index added there exists in both.
 */
export class TrackingTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: TrackingTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: attributeType },
      sortKey: { name: tableKeys.sortKey, type: attributeType },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of globalIndexesWith(props.metricIndexSlots)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: attributeType },
        sortKey: { name: index.sortKey, type: attributeType },
        projectionType: ProjectionType[index.projection],
        ...(index.nonKeyAttributes ? { nonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      });
    }
  }

  /** The ARN IAM uses for one index, for grants limited to the indexes a route queries. */
  indexArn(indexName: string): string {
    if (!globalIndexes.some((index) => index.indexName === indexName)) {
      throw new Error(`no index '${indexName}' in shared/storage/table-definition.ts`);
    }
    return `${this.table.tableArn}/index/${indexName}`;
  }
}
