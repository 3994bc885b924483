import { createStratusApp } from './cdk/stratus-stack.ts';
const ctx = JSON.parse(process.argv[2] ?? '{}');
const { app } = createStratusApp({ 'aws:cdk:bundling-stacks': [], ...ctx });
console.log(app.synth().directory);
