import { type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/** Skips esbuild in unit tests: assertions read the template, not the bundles. */
export const noBundling = { 'aws:cdk:bundling-stacks': [] };

/** The logical id a construct's CloudFormation resource gets in its (possibly nested) stack's template. */
export function logicalId(_stack: Stack, construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

export interface TemplateJson {
  Resources: Record<string, any>;
  Outputs: Record<string, any>;
  Parameters?: Record<string, any>;
}

/** A stack's template and those of the stacks nested in it, each with its construct path. */
export function templatesOf(stack: Stack): Array<{ stack: Stack; json: TemplateJson }> {
  const nested = stack.node.findAll().filter((construct): construct is NestedStack => construct instanceof NestedStack);
  return [stack, ...nested].map((each) => ({ stack: each, json: Template.fromStack(each).toJSON() as TemplateJson }));
}

/**
 * The stack as one template: the resources of its nested stacks join the
 * parent's, with each `Ref` to a nested stack's parameter replaced by the value
 * the parent passes (so a nested function's policy names the table as
 * `Fn::GetAtt [Table, Arn]`, as in a flat stack). The nested stack resources
 * themselves are left out; logical ids must not collide.
 */
export function flatTemplate(stack: Stack): TemplateJson {
  const [parent, ...nested] = templatesOf(stack);
  const flat: TemplateJson = { Resources: {}, Outputs: { ...parent!.json.Outputs } };
  for (const [id, resource] of Object.entries(parent!.json.Resources)) {
    if (resource.Type !== 'AWS::CloudFormation::Stack') flat.Resources[id] = resource;
  }
  for (const { stack: child, json } of nested) {
    const resource = (child as NestedStack).nestedStackResource as CfnElement;
    const parameters = parent!.json.Resources[Stack.of(resource).getLogicalId(resource)].Properties.Parameters ?? {};
    const resolve = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(resolve);
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value);
      const [first] = entries;
      if (entries.length === 1 && first![0] === 'Ref' && Object.hasOwn(parameters, first![1] as string)) {
        return parameters[first![1] as string];
      }
      return Object.fromEntries(entries.map(([key, inner]) => [key, resolve(inner)]));
    };
    for (const [id, resource] of Object.entries(json.Resources)) {
      if (Object.hasOwn(flat.Resources, id)) throw new Error(`logical id ${id} appears in two templates`);
      flat.Resources[id] = resolve(resource);
    }
  }
  return flat;
}

/** The resources of one type in a template, by logical id. */
export const resourcesOfType = (json: TemplateJson, type: string): Record<string, any> =>
  Object.fromEntries(Object.entries(json.Resources).filter(([, resource]) => resource.Type === type));

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
