import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Skips esbuild in unit tests: assertions read the template, not the bundles. */
export const noBundling = { 'aws:cdk:bundling-stacks': [] };

/** The logical id a construct's CloudFormation resource gets in the template. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: Statement) =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** Every policy statement of every role and policy in a template, with where it came from. */
export function allStatements(template: { Resources: Record<string, any> }) {
  const found: Array<{ owner: string; statement: Statement }> = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const documents =
      resource.Type === 'AWS::IAM::Role'
        ? (resource.Properties.Policies ?? []).map((policy: any) => policy.PolicyDocument)
        : resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
          ? [resource.Properties.PolicyDocument]
          : [];
    for (const document of documents) {
      for (const statement of document.Statement) found.push({ owner: id, statement });
    }
  }
  return found;
}
