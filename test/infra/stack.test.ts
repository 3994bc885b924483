import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, test } from 'vitest';
import type { IConstruct } from 'constructs';
import { accessLogFields } from '../../cdk/constructs/http-api.ts';
import { createStratusApp, functionPlansByGroup, type StratusStack } from '../../cdk/stratus-stack.ts';
import { routeKeys, routePaths, routesByEntry } from '../../shared/http/route-definition.ts';
import { configVariableNames } from '../../shared/config.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { globalIndexes, indexProjection, tableKeys } from '../../shared/storage/table-definition.ts';
import { isAppRoute } from '../../web/security-headers.ts';
import {
  actionsOf,
  allStatements,
  flatTemplate,
  logicalId,
  noBundling,
  resourcesOf,
  resourcesOfType,
  type Statement,
  type TemplateJson,
  templatesOf,
} from './support.ts';

const countOf = (type: string) => Object.keys(resourcesOfType(json, type)).length;

// One synth for the whole file, with the default settings `npx cdk deploy` uses.
let stack: StratusStack;
let json: TemplateJson;
let assemblyDirectory: string;
const functionRoutes = [...routesByEntry(routeList).values()];
/** Every route key served: each route's own, and the /ajax-api aliases of MLflow's. */
const servedKeys = routeList.flatMap(routeKeys);

beforeAll(() => {
  const created = createStratusApp(noBundling);
  stack = created.stack;
  // Synthesizes the app, running cdk-nag: an unacknowledged finding throws here.
  assemblyDirectory = created.app.synth().directory;
  json = flatTemplate(stack);
  // Eight templates with cdk-nag over all of them: minutes on a busy two-core machine.
}, 240_000);

const tableArn = () => ({ 'Fn::GetAtt': [logicalId(stack, stack.table.table), 'Arn'] });
const indexArn = (indexName: string) => ({
  'Fn::Join': ['', [tableArn(), `/index/${indexName}`]],
});

function roleStatements(operationId: string): Statement[] {
  const routeFunction = stack.functions.get(operationId);
  if (!routeFunction) throw new Error(`no function for ${operationId}`);
  const role = json.Resources[logicalId(stack, routeFunction.role)];
  return role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
}

describe('functions and routes come from the route table', () => {
  test('one function per entry, on Node 24 (arm64), bundled as ESM, source maps read only for logged errors', () => {
    // Plus the web UI's upload function (BucketDeployment's), which serves no route.
    expect(countOf('AWS::Lambda::Function')).toBe(functionRoutes.length + 1);
    for (const route of routeList) {
      const routeFunction = stack.functions.get(route.operationId);
      expect(routeFunction, route.operationId).toBeDefined();
      const properties = json.Resources[logicalId(stack, routeFunction!.function)].Properties;
      expect(properties.Runtime).toBe('nodejs24.x');
      expect(properties.Architectures).toEqual(['arm64']);
      expect(properties.Handler).toBe('index.handler');
      // --enable-source-maps would parse the map at every cold start (shared/observability/stack-trace.ts).
      expect(properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
      expect(properties.Environment.Variables).toMatchObject({
        STRATUS_TABLE_NAME: { Ref: logicalId(stack, stack.table.table) },
        STRATUS_ARTIFACTS_BUCKET: { Ref: logicalId(stack, stack.artifacts.bucket) },
      });
      expect(existsSync(path.resolve(route.entry)), route.entry).toBe(true);
      // 10 s unless a route of the function asks for more; never past API Gateway's 30 s.
      const wanted = Math.max(
        10,
        ...routeList.filter((r) => r.entry === route.entry).map((r) => r.timeoutSeconds ?? 0),
      );
      expect(properties.Timeout, route.operationId).toBe(wanted);
      expect(properties.Timeout, route.operationId).toBeLessThan(30);
      // A variable the config does not know would be silently ignored by the function.
      const unknown = Object.keys(properties.Environment.Variables).filter(
        (name) => name !== 'NODE_OPTIONS' && !configVariableNames.includes(name),
      );
      expect(unknown, route.operationId).toEqual([]);
    }
  });

  test('one API route per path a route is served at (its own, and an MLflow route its /ajax-api alias), integrated with the function of its entry', () => {
    expect(servedKeys.length).toBeGreaterThan(routeList.length);
    expect(countOf('AWS::ApiGatewayV2::Route')).toBe(servedKeys.length);
    const routes = Object.values(json.Resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route');
    for (const [route, key] of routeList.flatMap((route) => routeKeys(route).map((key) => [route, key] as const))) {
      const apiRoute = routes.find((candidate) => candidate.Properties.RouteKey === key);
      expect(apiRoute, key).toBeDefined();
      const integrationId = apiRoute.Properties.Target['Fn::Join'][1][1].Ref;
      const integration = json.Resources[integrationId].Properties;
      expect(integration.PayloadFormatVersion).toBe('2.0');
      const functionId = logicalId(stack, stack.functions.get(route.operationId)!.function);
      expect(integration.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
      // Authentication is the handler factory's, not an API Gateway authorizer's.
      expect(apiRoute.Properties.AuthorizationType).toBe('NONE');
    }
  });
});

describe('least privilege', () => {
  test.each(functionRoutes.map((routes) => [routes[0]!.entry, routes] as const))(
    '%s may do exactly what its routes declare',
    (_, routes) => {
      const routeFunction = stack.functions.get(routes[0]!.operationId)!;
      const union = <T>(values: T[]) => [...new Set(values)];
      const tableActions = union(routes.flatMap((route) => route.table.actions));
      const indexes = union(routes.flatMap((route) => route.table.indexes ?? []));
      const bucketActions = union(routes.flatMap((route) => route.bucket?.actions ?? []));
      const expected: Array<{ actions: string[]; resources: unknown[] }> = [
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [{ 'Fn::GetAtt': [logicalId(stack, routeFunction.function.logGroup), 'Arn'] }],
        },
        { actions: tableActions.map((action) => `dynamodb:${action}`), resources: [tableArn()] },
      ];
      if (indexes.length) {
        expected.push({ actions: ['dynamodb:Query'], resources: indexes.map(indexArn) });
      }
      // Object actions on the bucket's objects; ListBucket (purge lists a run's prefix) on the bucket itself.
      const objectActions = bucketActions.filter((action) => action !== 'ListBucket');
      if (objectActions.length) {
        expected.push({
          actions: objectActions.map((action) => `s3:${action}`),
          resources: [
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, stack.artifacts.bucket), 'Arn'] }, '/*']] },
          ],
        });
      }
      if (bucketActions.includes('ListBucket')) {
        expected.push({
          actions: ['s3:ListBucket'],
          resources: [{ 'Fn::GetAtt': [logicalId(stack, stack.artifacts.bucket), 'Arn'] }],
        });
      }
      if (routes.some((route) => route.pageTokens)) {
        expected.push({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [{ Ref: logicalId(stack, stack.pageTokenSecret) }],
        });
      }
      for (const route of routes) expect(stack.functions.get(route.operationId), route.operationId).toBe(routeFunction);
      const actual = roleStatements(routes[0]!.operationId).map((statement) => ({
        effect: statement.Effect,
        actions: actionsOf(statement),
        resources: resourcesOf(statement),
      }));
      expect(actual).toEqual(expected.map((statement) => ({ effect: 'Allow', ...statement })));
    },
  );

  test('exactly the routes that answer next_page_token declare pageTokens (and may read the page-token secret)', () => {
    const document = openApiDocument() as {
      paths: Record<string, Record<string, { responses: Record<string, any> }>>;
    };
    for (const route of routeList) {
      const operation = document.paths[route.path.replace('+', '')]?.[route.method.toLowerCase()];
      const schema = operation?.responses[String(route.response.status)]?.content?.['application/json']?.schema;
      const answersTokens = schema?.properties?.next_page_token !== undefined;
      expect(route.pageTokens === true, route.operationId).toBe(answersTokens);
    }
  });

  test('every route may read token items, which authentication needs', () => {
    for (const route of routeList) expect(route.table.actions, route.operationId).toContain('GetItem');
  });

  test('no wildcard action, no managed policy, no policy attached beside the route roles', () => {
    for (const { owner, statement } of allStatements(json)) {
      for (const action of actionsOf(statement)) expect(action, `${owner}: ${action}`).not.toContain('*');
    }
    expect(countOf('AWS::IAM::Policy')).toBe(0);
    expect(countOf('AWS::IAM::ManagedPolicy')).toBe(0);
    for (const role of Object.values(resourcesOfType(json, 'AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('CloudFormation limits', () => {
  // CloudFormation refuses a stack of more than 500 resources; leave room for what comes next.
  const ceiling = 400;
  const countTypes = (resources: Record<string, { Type: string }>) => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    return counts;
  };

  test('each route group holds its functions and their routes, counted from the route table', () => {
    const plans = functionPlansByGroup(routeList, {
      reservedConcurrency: undefined,
      reservedConcurrencyByOperation: {},
    });
    const nested = templatesOf(stack).slice(1);
    expect(nested.map(({ stack: group }) => group.node.id).sort()).toEqual([...plans.keys()].sort());
    for (const { stack: group, json: template } of nested) {
      const functions = plans.get(group.node.id)!;
      const routes = functions.flatMap((plan) => plan.routes.flatMap(routePaths)).length;
      expect(countTypes(template.Resources), group.node.id).toEqual({
        // Per function: itself, its role, its log group, one integration and one invoke
        // permission, whatever the number of routes it serves, and two alarms; per route: the route.
        'AWS::Lambda::Function': functions.length,
        'AWS::CloudWatch::Alarm': 2 * functions.length,
        'AWS::IAM::Role': functions.length,
        'AWS::Logs::LogGroup': functions.length,
        'AWS::ApiGatewayV2::Integration': functions.length,
        'AWS::Lambda::Permission': functions.length,
        'AWS::ApiGatewayV2::Route': routes,
      });
      expect(Object.keys(template.Resources).length, group.node.id).toBeLessThanOrEqual(ceiling);
    }
  });

  test('the parent holds the shared resources and one nested stack per route group', () => {
    const parent = templatesOf(stack)[0]!.json;
    expect(countTypes(parent.Resources)).toEqual({
      'AWS::DynamoDB::Table': 1,
      'AWS::S3::Bucket': 3,
      'AWS::S3::BucketPolicy': 3,
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::Logs::LogGroup': 2,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::CloudWatch::Alarm': 5,
      'AWS::SecretsManager::Secret': 1,
      'AWS::CloudFormation::Stack': stack.routeGroups.length,
      // The web UI (cdk/constructs/web-app.ts): CloudFront in front of its bucket, and its upload.
      'AWS::CloudFront::Distribution': 1,
      'AWS::CloudFront::OriginAccessControl': 1,
      'AWS::CloudFront::ResponseHeadersPolicy': 1,
      'AWS::CloudFront::Function': 1,
      'AWS::IAM::Role': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::LayerVersion': 2,
      'Custom::CDKBucketDeployment': 2,
    });
    expect(Object.keys(parent.Resources).length).toBeLessThanOrEqual(ceiling);
  });

  test('one invoke permission per function, for any route of this API', () => {
    const apiId = logicalId(stack, stack.api.api);
    for (const permission of Object.values(resourcesOfType(json, 'AWS::Lambda::Permission'))) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(`{"Ref":"${apiId}"},"/*/*/*"`);
    }
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resourcesOfType(json, 'AWS::CloudWatch::Alarm'));
  const topicRef = () => ({ Ref: logicalId(stack, stack.alarmTopic.topic) });

  test('every alarm notifies the topic on ALARM and OK, and an idle stack stays quiet', () => {
    expect(alarms().length).toBe(5 + 2 * functionRoutes.length);
    for (const alarm of alarms()) {
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmDescription).toEqual([topicRef()]);
      expect(alarm.Properties.OKActions).toEqual([topicRef()]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(alarm.Properties.AlarmDescription).toMatch(/docs\/operations\.md#[a-z0-9-]+/);
    }
  });

  test('what pages: API 5xx rate and p99, table throttles and system errors, S3 5xx, each function', () => {
    const described = alarms().map((alarm) => alarm.Properties.AlarmDescription as string);
    for (const anchor of [
      'apiservererrorrate',
      'apilatencyp99',
      'tablethrottles',
      'tablesystemerrors',
      'artifactbucketservererrors',
    ]) {
      expect(
        described.filter((text) => text.includes(`#${anchor}`)),
        anchor,
      ).toHaveLength(1);
    }
    for (const routes of functionRoutes) {
      const label = routes.map((route) => `${route.method} ${route.path}`).join(', ');
      expect(
        described.filter((text) => text.startsWith(`${label}:`)),
        label,
      ).toHaveLength(2);
    }
    const bucket = json.Resources[logicalId(stack, stack.artifacts.bucket)].Properties;
    expect(bucket.MetricsConfigurations).toEqual([{ Id: 'EntireBucket' }]);
  });

  test('every alarm links to a section of docs/operations.md that exists', () => {
    const headings = readFileSync('docs/operations.md', 'utf8').matchAll(/^#+ (.+)$/gm);
    const anchors = new Set(
      [...headings].map(([, title]) =>
        title!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const alarm of alarms()) {
      const anchor = /operations\.md#([a-z0-9-]+)/.exec(alarm.Properties.AlarmDescription)![1]!;
      expect(anchors, anchor).toContain(anchor);
    }
  });

  test('no e-mail subscription unless one is configured', () => {
    expect(Object.keys(resourcesOfType(json, 'AWS::SNS::Subscription'))).toEqual([]);
  });
});

describe('observability defaults', () => {
  test("functions publish request metrics under the stack's namespace; no tracing, no dashboard", () => {
    expect(countOf('AWS::CloudWatch::Dashboard')).toBe(0);
    for (const resource of Object.values(resourcesOfType(json, 'AWS::Lambda::Function'))) {
      // The web UI's upload function serves no route and logs no request.
      if (String(resource.Properties.Runtime).startsWith('python')) continue;
      expect(resource.Properties.Environment.Variables.STRATUS_METRICS_NAMESPACE).toBe(`Stratus/${stack.stackName}`);
      expect(resource.Properties.TracingConfig).toBeUndefined();
    }
  });
});

describe('tracking table', () => {
  test('keys and GSIs are those of shared/storage/table-definition.ts, on demand', () => {
    const table = json.Resources[logicalId(stack, stack.table.table)];
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: indexProjection(index),
      })),
    );
    const attributes = [
      tableKeys.partitionKey,
      tableKeys.sortKey,
      ...globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
  });

  test('point-in-time recovery and deletion protection are on, and the table is retained, by default', () => {
    const table = json.Resources[logicalId(stack, stack.table.table)];
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('artifacts bucket', () => {
  test('private, encrypted, versioned, TLS only, access-logged', () => {
    const bucketId = logicalId(stack, stack.artifacts.bucket);
    const bucket = json.Resources[bucketId].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({
      Ref: logicalId(stack, stack.artifacts.accessLogs),
    });
    expect(json.Resources[bucketId].DeletionPolicy).toBe('Retain');

    const policy = Object.values(resourcesOfType(json, 'AWS::S3::BucketPolicy')).find(
      (candidate) => candidate.Properties.Bucket.Ref === bucketId,
    );
    expect(policy?.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });

  test('lifecycle aborts incomplete multipart uploads and expires old versions', () => {
    const bucket = json.Resources[logicalId(stack, stack.artifacts.bucket)].Properties;
    expect(bucket.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 }, Status: 'Enabled' }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
      ]),
    );
  });

  test("no CORS beyond the stack's own web UI unless origins are configured (see 'web UI on CloudFront')", () => {
    const origins = (json.Resources[logicalId(stack, stack.api.api)].Properties.CorsConfiguration.AllowOrigins ??
      []) as unknown[];
    expect(origins).toHaveLength(1);
    expect(JSON.stringify(origins)).toContain(logicalId(stack, stack.web!.distribution));
  });
});

describe('HTTP API stage', () => {
  const stage = () => Object.values(resourcesOfType(json, 'AWS::ApiGatewayV2::Stage'))[0]!.Properties;

  test('access logs go to a log group, in a format that holds no credentials', () => {
    const format: string = stage().AccessLogSettings.Format;
    expect(JSON.parse(format)).toEqual(accessLogFields);
    expect(format).toContain('$context.requestId');
    expect(format.toLowerCase()).not.toMatch(/authoriz|header|querystring|token/);
    expect(stage().AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.api.accessLogs), 'Arn'],
    });
  });

  test('a stage-wide throttle, and a tighter one on every ingest route and only there', () => {
    const { DefaultRouteSettings, RouteSettings } = stage();
    expect(DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    const ingestRoutes = routeList.filter((route) => route.ingest);
    expect(ingestRoutes.length).toBeGreaterThan(0);
    expect(Object.keys(RouteSettings).sort()).toEqual(ingestRoutes.flatMap(routeKeys).sort());
    for (const settings of Object.values<any>(RouteSettings)) {
      expect(settings.ThrottlingRateLimit).toBeLessThan(DefaultRouteSettings.ThrottlingRateLimit);
      expect(settings.ThrottlingBurstLimit).toBeLessThan(DefaultRouteSettings.ThrottlingBurstLimit);
    }
  });
});

describe('outputs and checks', () => {
  test('outputs the API URL, the web UI URL, the table and the bucket', () => {
    expect(Object.keys(json.Outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'WebUrl', 'TableName', 'BucketName']));
    expect(JSON.stringify(json.Outputs.WebUrl.Value)).toContain(logicalId(stack, stack.web!.distribution));
    expect(json.Outputs.TableName.Value).toEqual({ Ref: logicalId(stack, stack.table.table) });
    expect(json.Outputs.BucketName.Value).toEqual({ Ref: logicalId(stack, stack.artifacts.bucket) });
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const written = JSON.parse(readFileSync(path.join(assemblyDirectory, 'validation-report.json'), 'utf8'));
    expect(written.pluginReports).toEqual([]);
  });

  test('every acknowledgement carries a reason of substance', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThanOrEqual(routeList.length);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(80);
    const apig4 = acknowledgements.filter(([id]) => id.includes('AwsSolutions-APIG4'));
    expect(apig4).toHaveLength(servedKeys.length);
    for (const [, reason] of apig4) expect(reason).toMatch(/handler factory/);
  });
});

describe('web UI on CloudFront', () => {
  const resource = (construct: IConstruct) => json.Resources[logicalId(stack, construct)];
  const webOrigin = () => ({
    'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack, stack.web!.distribution), 'DomainName'] }]],
  });

  test('a private bucket that only this distribution reads, through origin access control', () => {
    const bucket = resource(stack.web!.bucket).Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = Object.values(resourcesOfType(json, 'AWS::S3::BucketPolicy')).find(
      (each) => each.Properties.Bucket.Ref === logicalId(stack, stack.web!.bucket),
    );
    const allows = policy.Properties.PolicyDocument.Statement.filter(
      (statement: Statement) => statement.Effect === 'Allow',
    );
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0].Condition)).toContain(logicalId(stack, stack.web!.distribution));
    const [oac] = Object.values(resourcesOfType(json, 'AWS::CloudFront::OriginAccessControl'));
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });

  test('HTTPS only, with a strict CSP and the security headers the local server sends', () => {
    const config = resource(stack.web!.distribution).Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    const headers = resource(stack.web!.securityHeaders).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self';",
      "style-src 'self';",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, Override: true });
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    expect(headers.ContentTypeOptions.Override).toBe(true);
  });

  test('the viewer-request function sends app routes to index.html, as the local server does', () => {
    const [fn] = Object.values(resourcesOfType(json, 'AWS::CloudFront::Function'));
    const handler = new Function(`${fn.Properties.FunctionCode}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    for (const uri of [
      '/',
      '/experiments',
      '/runs/abc',
      '/compare',
      '/assets/index-x1.js',
      '/favicon.svg',
      '/config.json',
    ]) {
      const expected = isAppRoute(uri) ? '/index.html' : uri;
      expect(handler({ request: { uri } }).uri, uri).toBe(expected);
    }
  });

  test("the API's and the artifacts bucket's CORS allow the UI's origin, the bucket for reads only", () => {
    expect(resource(stack.api.api).Properties.CorsConfiguration.AllowOrigins).toEqual([webOrigin()]);
    const rules = resource(stack.artifacts.bucket).Properties.CorsConfiguration.CorsRules;
    expect(rules).toEqual([{ AllowedOrigins: [webOrigin()], AllowedMethods: ['GET', 'HEAD'], MaxAge: 3000 }]);
  });

  test('the upload writes the build and a config.json naming this API, with a role of its own', () => {
    const deployments = Object.values(resourcesOfType(json, 'Custom::CDKBucketDeployment'));
    const shell = deployments.find((each) => each.Properties.DistributionPaths);
    expect(shell.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
    expect(shell.Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(JSON.stringify(shell.Properties.SourceMarkers)).toContain(`{"Ref":"${logicalId(stack, stack.api.api)}"}`);
    const assets = deployments.find((each) => !each.Properties.DistributionPaths);
    expect(assets.Properties.SystemMetadata).toEqual({ 'cache-control': 'public, max-age=31536000, immutable' });
    expect(assets.Properties.Prune).toBe(false);
    const [uploader] = Object.values(resourcesOfType(json, 'AWS::Lambda::Function')).filter((each) =>
      String(each.Properties.Runtime).startsWith('python'),
    );
    expect(uploader.Properties.Role['Fn::GetAtt'][0]).toMatch(/^WebDeployRole/);
  });
});
