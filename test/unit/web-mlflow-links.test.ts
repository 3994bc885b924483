import { expect, test } from 'vitest';
import { pathOfMlflowLink } from '../../web/src/mlflow-links.ts';

const experiment = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
const run = 'f9e8d7c6b5a4938271605f4e3d2c1b0a';

test('the links the mlflow client prints open the same view in the app', () => {
  expect(pathOfMlflowLink(`#/experiments/${experiment}/runs/${run}`)).toBe(`/runs/${run}`);
  expect(pathOfMlflowLink(`#/experiments/${experiment}`)).toBe(`/experiments/${experiment}`);
  expect(pathOfMlflowLink(`#/experiments/0/runs/${run}/artifacts`)).toBe(`/runs/${run}`);
  expect(pathOfMlflowLink(`#/runs/${run}`)).toBe(`/runs/${run}`);
  expect(pathOfMlflowLink('#/models/fraud%20model/versions/3')).toBe('/models/fraud%20model/versions/3');
  expect(pathOfMlflowLink('#/models/fraud-model')).toBe('/models/fraud-model');
  expect(pathOfMlflowLink('#/models')).toBe('/models');
  expect(pathOfMlflowLink('#/')).toBe('/experiments');
});

test('other fragments are left alone, and nothing unsafe becomes a path', () => {
  expect(pathOfMlflowLink('')).toBeUndefined();
  expect(pathOfMlflowLink('#token=abc')).toBeUndefined();
  expect(pathOfMlflowLink('#/metric/loss?runs=[]')).toBeUndefined();
  expect(pathOfMlflowLink('#/experiments/..%2F..%2Fadmin')).toBe('/experiments');
  expect(pathOfMlflowLink('#/experiments/x/runs/<script>')).toBe('/experiments/x');
  expect(pathOfMlflowLink('#/models/a%2Fb')).toBe('/models/a%2Fb');
  expect(pathOfMlflowLink('#/models/%E0%A4%A')).toBe('/models/%25E0%25A4%25A');
});
