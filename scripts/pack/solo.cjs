// One package alone from CommonJS: the same exports as the ES module.
const m = require('PACKAGE');

console.log(
  JSON.stringify(
    Object.keys(m)
      .filter((k) => k !== 'default' && k !== '__esModule')
      .sort(),
  ),
);
