// One package's declarations alone, from an ES module, with skipLibCheck false.
import * as m from 'PACKAGE';

export const names: string[] = Object.keys(m);
