// What every page shares: the logged-in user, the legend and the towns (fetched once per login).

import { api } from './api.js';
import { useLegend } from './format.js';

export const session = { user: null };

let legendOnce = null;
let townsOnce = null;

export function forget() {
  session.user = null;
  legendOnce = null;
  townsOnce = null;
}

/** The class and category colours from ``/api/legend`` (also handed to format.js). */
export function legend() {
  legendOnce = legendOnce || api.get('/api/legend').then((value) => {
    useLegend(value);
    return value;
  }).catch((e) => {
    legendOnce = null;
    throw e;
  });
  return legendOnce;
}

/** The towns: [{division_code, name}] sorted by code. */
export function towns() {
  townsOnce = townsOnce || api.get('/api/divisions', { level: 'town' }).catch((e) => {
    townsOnce = null;
    throw e;
  });
  return townsOnce;
}

export function mayImport() {
  return ['admin', 'city'].includes(session.user?.role);
}

export function mayAdminister() {
  return session.user?.role === 'admin';
}
