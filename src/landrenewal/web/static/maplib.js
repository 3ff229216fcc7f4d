// MapLibre GL JS (vendored), the map style, and the parcel colours both maps share.
// Everything comes from our own server: no glyphs, no sprites, no outside tiles (labels are HTML).

import { h } from './dom.js';
import { t } from './i18n.js';

let library = null;

export async function loadMapLibre() {
  library = library || import('./vendor/maplibre-gl.mjs');
  return library;
}

export function webglAvailable() {
  try {
    const canvas = document.createElement('canvas');
    return Boolean(canvas.getContext('webgl2') || canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

/** An absolute URL on this server (the map's worker needs one), keeping ``{z}/{x}/{y}`` as they are. */
// The zones' colour, on the map and on a zone's own small map.
export const ZONE_COLOR = '#6a3d9a';

export function absolute(path) {
  return /^https?:\/\//.test(path) ? path : `${location.origin}${path.startsWith('/') ? '' : '/'}${path}`;
}

export const BACKGROUND = '#eef1f5';
export const OUTLINE = '#ffffff';
export const HIGHLIGHT = '#0b3d91';

/** The style: a plain background, the optional raster basemap, the parcel tiles. */
export function baseStyle(setup) {
  const sources = {
    parcels: {
      type: 'vector',
      tiles: [absolute(setup.tiles || '/tiles/parcels/{z}/{x}/{y}.pbf')],
      minzoom: setup.minzoom ?? 0,
      maxzoom: setup.maxzoom ?? 22,
    },
  };
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } }];
  if (setup.basemap?.url) {
    sources.basemap = {
      type: 'raster', tiles: [absolute(setup.basemap.url)], tileSize: 256,
      attribution: setup.basemap.attribution || '',
    };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return { version: 8, sources, layers };
}

/** The fill colour expression: by class (``cls``) or by first finding category (``cat``). */
export function fillColor(mode, legend) {
  const pairs = mode === 'category'
    ? legend.categories.flatMap((c) => [c.name, c.color])
    : legend.classes.flatMap((c) => [c.code, c.color]);
  if (!pairs.length) return legend.none_color;
  return ['match', ['get', mode === 'category' ? 'cat' : 'cls'], ...pairs, legend.none_color];
}

/** The parcel layers: fill, white outline, hover outline (feature-state), selected outline. */
export function parcelLayers(mode, legend, opacity = 0.78) {
  return [
    {
      id: 'parcels-fill', type: 'fill', source: 'parcels', 'source-layer': 'parcels',
      paint: { 'fill-color': fillColor(mode, legend), 'fill-opacity': opacity },
    },
    {
      id: 'parcels-line', type: 'line', source: 'parcels', 'source-layer': 'parcels',
      paint: {
        'line-color': OUTLINE,
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.2, 14, 0.8, 18, 1.5],
      },
    },
    {
      id: 'parcels-hover', type: 'line', source: 'parcels', 'source-layer': 'parcels',
      paint: {
        'line-color': '#1f2a37',
        'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], 2, 0],
      },
    },
    {
      id: 'parcels-selected', type: 'line', source: 'parcels', 'source-layer': 'parcels',
      filter: ['==', ['get', 'code'], ''],
      paint: { 'line-color': HIGHLIGHT, 'line-width': 3 },
    },
  ];
}

/** [minx, miny, maxx, maxy] of a GeoJSON geometry. */
export function geometryBounds(geometry) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      box[0] = Math.min(box[0], c[0]);
      box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]);
      box[3] = Math.max(box[3], c[1]);
    } else c.forEach(walk);
  };
  if (geometry?.coordinates) walk(geometry.coordinates);
  return Number.isFinite(box[0]) ? box : null;
}

/**
 * The small map of a dossier: the parcel tiles (``opacity`` may be an expression that brings some
 * forward) under one outline drawn from ``geometry`` (GeoJSON, lon/lat), fitted to ``bbox``. A click
 * on a parcel calls ``onParcel(code)``. Returns a function that removes the map, or null when there
 * is nothing to draw (a note says why).
 */
export async function dossierMap(el, {
  geometry, bbox, setup, legend, signal, opacity, line, onParcel,
}) {
  const note = (text) => {
    el.append(h('p', { class: 'empty', style: { padding: '12px' } }, text));
    return null;
  };
  if (!geometry) return note(t('common.none'));
  if (!webglAvailable()) return note(t('map.noWebGL'));
  const ml = await loadMapLibre();
  if (signal?.aborted) return null;
  const style = baseStyle({ ...setup, tiles: setup?.tiles || '/tiles/parcels/{z}/{x}/{y}.pbf' });
  style.sources.outline = { type: 'geojson', data: { type: 'Feature', geometry, properties: {} } };
  style.layers.push(
    ...parcelLayers('class', legend, opacity ?? 0.78),
    { id: 'outline-line', type: 'line', source: 'outline', paint: { 'line-color': HIGHLIGHT, 'line-width': 3, ...line } },
  );
  const map = new ml.Map({
    container: el,
    style,
    bounds: bbox || geometryBounds(geometry),
    fitBoundsOptions: { padding: 50, maxZoom: 18 },
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.addControl(new ml.NavigationControl({ showCompass: false }), 'top-right');
  map.on('mousemove', 'parcels-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'parcels-fill', () => { map.getCanvas().style.cursor = ''; });
  map.on('click', 'parcels-fill', (e) => {
    const code = e.features?.[0]?.properties?.code;
    if (code && onParcel) onParcel(code);
  });
  map.once('idle', () => { el.dataset.ready = 'true'; });
  return () => map.remove();
}
