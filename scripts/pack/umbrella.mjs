// The umbrella from an ES module: what a user pastes into index.mjs after `npm i nablajs`.
import { program } from './program.mjs';
import * as nabla from 'nablajs';

console.log(JSON.stringify(await program(nabla)));
