// One package's declarations alone, from CommonJS (its require condition), with skipLibCheck false.
import * as m from 'PACKAGE';

export const names: string[] = Object.keys(m);
