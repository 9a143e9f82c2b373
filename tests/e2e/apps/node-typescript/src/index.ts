// eslint-disable-next-line @typescript-eslint/no-var-requires
const isNumber: (value: unknown) => boolean = require('is-number');
import { render } from './report';

const inputs: unknown[] = ['42', 'forty-two', 3.14];
const lines = inputs.map((value) => ({ label: JSON.stringify(value), value: isNumber(value) }));
console.log('ts-report (compiled TypeScript)');
console.log(render(lines));
console.log(`node ${process.version}`);
