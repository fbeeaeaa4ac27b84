// One package alone (with only its real dependencies): every export loads from an ES module.
import * as m from 'PACKAGE';

console.log(
  JSON.stringify(
    Object.keys(m)
      .filter((k) => k !== 'default')
      .sort(),
  ),
);
