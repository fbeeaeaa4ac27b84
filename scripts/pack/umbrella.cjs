// The umbrella from CommonJS: what a user pastes into index.js of a fresh `npm init -y` project.
const nabla = require('nablajs');

import('./program.mjs')
  .then(({ program }) => program(nabla))
  .then((result) => console.log(JSON.stringify(result)));
