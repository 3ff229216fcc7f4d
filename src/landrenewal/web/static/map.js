// 地图: the parcels from the vector tiles coloured by class or finding type, town and zone outlines,
// a legend that filters, search that flies to a parcel or an enterprise, and a popup per parcel.

import { api } from './api.js';
import { legend as getLegend, towns as getTowns } from './context.js';
import { clear, debounce, h, notice } from './dom.js';
import { categoryChips, classBadge, classLabel, mu, num } from './format.js';
import { fieldLabel, t } from './i18n.js';
import { zoneHref } from './tables.js';
import {
  absolute, baseStyle, fillColor, geometryBounds, loadMapLibre, parcelLayers, webglAvailable, ZONE_COLOR,
} from './maplib.js';

// The zoom from which parcel tiles carry codes and areas (the server's DETAIL_ZOOM).
const DETAIL_ZOOM = 13;

const TOWN_LINE = '#4a5a70';
// Zone tiles are cut to this zoom and drawn larger beyond it: an outline gains nothing further in.
const ZONE_TILES_MAX_ZOOM = 16;
const FILTERED = ['parcels-fill', 'parcels-line', 'parcels-hover'];

// Kept while the app runs, so that coming back to the map finds it as it was left.
const kept = { view: null, mode: 'class', towns: true, zones: false, basemap: true, hidden: { class: [], category: [] } };

export async function render(root, { query, signal }) {
  window.__mapReady = false;
  const container = h('div', { id: 'map', class: 'map', testid: 'map', 'data-ready': 'false' });
  const panel = h('aside', { class: 'map-panel', testid: 'map-panel' });
  root.append(h('div', { class: 'map-page' }, container, panel));
  if (!webglAvailable()) {
    container.append(notice(t('map.noWebGL'), 'error'));
    return undefined;
  }
  const [setup, legend, towns, ml] = await Promise.all([
    api.get('/api/map', null, { signal }), getLegend(), getTowns(), loadMapLibre(),
  ]);
  if (signal.aborted) return undefined;
  const townNames = new Map(towns.map((d) => [d.division_code, d.name]));

  // The parcel layers are part of the style itself: nothing waits on the map's 'load' event, which
  // a failing basemap tile can hold back.
  const style = baseStyle(setup);
  style.layers.push(...parcelLayers(kept.mode, legend));
  const options = {
    container,
    style,
    attributionControl: setup.basemap ? { compact: true } : false,
    dragRotate: false,
    pitchWithRotate: false,
    maxZoom: 22,
  };
  if (kept.view) Object.assign(options, kept.view);
  else if (setup.bounds) Object.assign(options, { bounds: setup.bounds, fitBoundsOptions: { padding: { top: 40, bottom: 40, left: 330, right: 50 } } });
  else Object.assign(options, { center: [108, 34], zoom: 3.5 });

  const map = new ml.Map(options);
  window.__map = map;
  map.addControl(new ml.NavigationControl({ showCompass: false }), 'bottom-right');
  map.addControl(new ml.ScaleControl({ unit: 'metric' }), 'bottom-left');

  let popup = null;
  let townMarkers = [];

  const showPopup = (lngLat, content) => {
    if (popup) popup.remove();
    popup = new ml.Popup({ closeButton: true, maxWidth: '340px', className: 'lr-popup' })
      .setLngLat(lngLat).setDOMContent(content).addTo(map);
  };

  const select = (code) => map.getLayer('parcels-selected')
    && map.setFilter('parcels-selected', ['==', ['get', 'code'], code || '']);

  // ---- the side panel: search, layers, colour mode, legend -------------------------------------
  const legendBox = h('div', { class: 'legend', testid: 'legend' });
  const drawLegend = () => {
    const mode = kept.mode;
    const items = mode === 'category'
      ? legend.categories.map((c) => ({ key: c.name, label: c.name, color: c.color }))
      : legend.classes.map((c) => ({ key: c.code, label: classLabel(c.code), color: c.color }));
    items.push({ key: '', label: mode === 'category' ? t('map.noFinding') : t('map.unrated'), color: legend.none_color });
    const hidden = new Set(kept.hidden[mode]);
    clear(legendBox).append(...items.map((item) => h('label', { class: 'legend-item', testid: 'legend-item' },
      h('input', {
        type: 'checkbox', checked: !hidden.has(item.key), 'data-key': item.key,
        onchange: (e) => {
          const set = new Set(kept.hidden[mode]);
          if (e.target.checked) set.delete(item.key);
          else set.add(item.key);
          kept.hidden[mode] = [...set];
          applyFilter();
        },
      }),
      h('i', { class: 'swatch', style: { background: item.color } }),
      h('span', null, item.label))));
  };

  const applyFilter = () => {
    const hidden = kept.hidden[kept.mode];
    const field = kept.mode === 'category' ? 'cat' : 'cls';
    const filter = hidden.length ? ['!', ['in', ['get', field], ['literal', hidden]]] : null;
    for (const id of FILTERED) if (map.getLayer(id)) map.setFilter(id, filter);
  };

  const setMode = (mode) => {
    kept.mode = mode;
    if (map.getLayer('parcels-fill')) map.setPaintProperty('parcels-fill', 'fill-color', fillColor(mode, legend));
    drawLegend();
    applyFilter();
  };

  const modeSwitch = h('div', { class: 'segmented', role: 'radiogroup', testid: 'color-mode' },
    [['class', t('map.byClass')], ['category', t('map.byCategory')]].map(([value, label]) =>
      h('label', { testid: `color-by-${value}` },
        h('input', {
          type: 'radio', name: 'color-mode', value, checked: kept.mode === value, onchange: () => setMode(value),
        }),
        h('span', null, label))));

  const toggle = (name, label, checked, onchange, disabled) => h('label', { class: 'layer-toggle' },
    h('input', { type: 'checkbox', checked, disabled, testid: `layer-${name}`, onchange: (e) => onchange(e.target.checked) }),
    h('span', null, label));

  const setVisible = (ids, on) => {
    for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  };
  const zonesNote = h('small', { class: 'muted', hidden: true }, t('map.noZones'));
  const zonesToggle = toggle('zones', t('map.layer.zones'), kept.zones, (on) => {
    kept.zones = on;
    setVisible(['zones-fill', 'zones-line'], on);
  });
  const layers = h('div', { class: 'layers' },
    toggle('parcels', t('map.layer.parcels'), true, (on) => setVisible([...FILTERED, 'parcels-selected'], on)),
    toggle('towns', t('map.layer.towns'), kept.towns, (on) => {
      kept.towns = on;
      setVisible(['towns-line'], on);
      townMarkers.forEach((m) => { m.getElement().hidden = !on; });
    }),
    zonesToggle, zonesNote,
    setup.basemap ? toggle('basemap', t('map.layer.basemap'), kept.basemap, (on) => {
      kept.basemap = on;
      setVisible(['basemap'], on);
    }) : null);

  const search = searchBox(async (hit) => {
    if (hit.bbox) { // a town or a village: its parcels in view
      select('');
      map.fitBounds([[hit.bbox[0], hit.bbox[1]], [hit.bbox[2], hit.bbox[3]]], { padding: 40, maxZoom: 16, essential: true });
      return;
    }
    if (hit.lon == null || hit.lat == null) {
      if (hit.kind === 'enterprise') location.hash = `#/enterprise/${encodeURIComponent(hit.code)}`;
      return;
    }
    map.flyTo({ center: [hit.lon, hit.lat], zoom: Math.max(map.getZoom(), 16.5), essential: true });
    if (hit.kind === 'parcel') {
      select(hit.code);
      afterFlight(map, () => {
        const found = map.querySourceFeatures('parcels', { sourceLayer: 'parcels', filter: ['==', ['get', 'code'], hit.code] });
        showPopup([hit.lon, hit.lat], found.length ? parcelCard(found[0].properties, townNames) : hitCard(hit));
      });
    } else {
      select('');
      afterFlight(map, () => showPopup([hit.lon, hit.lat], hitCard(hit)));
    }
  });

  panel.append(
    search,
    h('section', { class: 'panel-section' }, h('h3', null, t('map.layers')), layers),
    h('section', { class: 'panel-section' }, h('h3', null, t('map.colorBy')), modeSwitch),
    h('section', { class: 'panel-section' }, h('h3', null, t('map.legend')), legendBox),
    setup.parcels != null ? h('p', { class: 'muted panel-foot' }, t('map.parcelCount', { n: num(setup.parcels) })) : null,
  );
  drawLegend();

  // ---- the layers -------------------------------------------------------------------------------
  // Once the style is parsed (its first 'styledata'; map.isStyleLoaded() also waits for tiles, so no).
  let styled = false;
  const whenStyled = () => {
    if (styled) return;
    styled = true;
    map.off('styledata', whenStyled);
    if (setup.basemap) setVisible(['basemap'], kept.basemap);
    applyFilter();
    loadOutlines();
  };
  map.on('styledata', whenStyled);

  // Ready (window.__mapReady, data-ready): the frame after the parcel tiles in view have all loaded.
  const ready = () => {
    if (window.__mapReady || !map.getLayer('parcels-fill') || !map.isSourceLoaded('parcels')) return;
    map.off('sourcedata', ready);
    map.off('idle', ready);
    map.once('render', () => {
      window.__mapReady = true;
      container.dataset.ready = 'true';
    });
    map.triggerRepaint();
  };
  map.on('sourcedata', ready);
  map.on('idle', ready);

  map.on('error', (e) => {
    if (e?.error?.status === 401) window.dispatchEvent(new CustomEvent('lr:unauthenticated'));
    else console.warn('map:', e?.error?.message || e);
  });

  let hovered = null;
  const unhover = () => {
    if (hovered != null) map.setFeatureState({ source: 'parcels', sourceLayer: 'parcels', id: hovered }, { hover: false });
    hovered = null;
  };
  map.on('mousemove', 'parcels-fill', (e) => {
    map.getCanvas().style.cursor = 'pointer';
    const f = e.features?.[0];
    if (!f || f.id == null || f.id === hovered) return;
    unhover();
    hovered = f.id;
    map.setFeatureState({ source: 'parcels', sourceLayer: 'parcels', id: hovered }, { hover: true });
  });
  map.on('mouseleave', 'parcels-fill', () => {
    map.getCanvas().style.cursor = '';
    unhover();
  });
  map.on('click', (e) => {
    const parcels = map.getLayer('parcels-fill') ? map.queryRenderedFeatures(e.point, { layers: ['parcels-fill'] }) : [];
    if (parcels.length) {
      const props = parcels[0].properties;
      // Below the detail zoom (13) tiles carry only colours, no codes: zoom in to the parcels instead.
      if (!props.code) {
        map.easeTo({ center: e.lngLat, zoom: Math.max(map.getZoom() + 2, DETAIL_ZOOM) });
        return;
      }
      select(props.code);
      showPopup(e.lngLat, parcelCard(props, townNames));
      return;
    }
    const zones = map.getLayer('zones-fill') && kept.zones ? map.queryRenderedFeatures(e.point, { layers: ['zones-fill'] }) : [];
    if (zones.length) showPopup(e.lngLat, zoneCard(zones[0].properties));
    else select('');
  });

  async function loadOutlines() {
    const townShapes = await api.get('/api/divisions/geojson', { level: 'town' }, { signal, quiet: true }).catch(() => null);
    if (signal.aborted || !map.getStyle()) return;
    const before = map.getLayer('parcels-selected') ? 'parcels-selected' : undefined;
    if (setup.zones) {
      // Vector tiles, not GeoJSON: a big city's zone outlines are tens of MB as GeoJSON.
      map.addSource('zones', {
        type: 'vector', tiles: [absolute(setup.zone_tiles)], minzoom: 0, maxzoom: ZONE_TILES_MAX_ZOOM,
      });
      map.addLayer({
        id: 'zones-fill', type: 'fill', source: 'zones', 'source-layer': 'zones',
        paint: { 'fill-color': ZONE_COLOR, 'fill-opacity': 0.08 },
      }, 'parcels-fill');
      map.addLayer({
        id: 'zones-line', type: 'line', source: 'zones', 'source-layer': 'zones',
        paint: { 'line-color': ZONE_COLOR, 'line-width': 2.2, 'line-dasharray': [3, 1.5] },
      }, before);
      setVisible(['zones-fill', 'zones-line'], kept.zones);
    } else {
      zonesToggle.querySelector('input').disabled = true;
      zonesNote.hidden = false;
    }
    if (townShapes?.features?.length) {
      map.addSource('towns', { type: 'geojson', data: townShapes });
      map.addLayer({
        id: 'towns-line', type: 'line', source: 'towns',
        paint: { 'line-color': TOWN_LINE, 'line-width': 1.6, 'line-dasharray': [4, 2] },
      }, before);
      setVisible(['towns-line'], kept.towns);
      townMarkers = townShapes.features.map((f) => {
        const at = labelPoint(f.geometry);
        if (!at) return null;
        const el = h('div', { class: 'town-label', testid: 'town-label' }, f.properties.name || f.properties.code);
        el.hidden = !kept.towns;
        return new ml.Marker({ element: el, anchor: 'center' }).setLngLat(at).addTo(map);
      }).filter(Boolean);
    }
    focusFromQuery();
  }

  // #/map?parcel=<code> and #/map?zone=<no>: open the map on a parcel or a zone.
  async function focusFromQuery() {
    const code = query.get('parcel');
    const zone = query.get('zone');
    if (code) {
      const hits = await api.get('/api/search', { q: code }, { signal }).catch(() => []);
      const hit = hits.find((x) => x.kind === 'parcel' && x.code === code);
      if (hit && !signal.aborted) search.choose(hit);
    } else if (zone && setup.zones) {
      const found = await api.get(`/api/zones/${encodeURIComponent(zone)}`, null, { signal, quiet: true }).catch(() => null);
      const box = found?.bbox;
      if (box && !signal.aborted) {
        if (!kept.zones) zonesToggle.querySelector('input').click();
        map.fitBounds(box, { padding: { top: 60, bottom: 60, left: 340, right: 60 }, maxZoom: 17 });
        map.once('moveend', () => showPopup([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2], zoneCard(found.zone)));
      }
    }
  }

  return () => {
    if (map.loaded() || map.getStyle()) {
      const c = map.getCenter();
      kept.view = { center: [c.lng, c.lat], zoom: map.getZoom() };
    }
    if (popup) popup.remove();
    map.remove();
    window.__map = null;
    window.__mapReady = false;
  };
}

/**
 * Calls ``fn`` once the map has stopped moving and the parcel tiles there have loaded (not on
 * 'idle': a failing basemap tile can keep the map from ever being idle), or after a few seconds.
 */
function afterFlight(map, fn) {
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    map.off('sourcedata', check);
    fn();
  };
  const check = () => { if (!map.isMoving() && map.isSourceLoaded('parcels')) go(); };
  map.once('moveend', () => {
    map.on('sourcedata', check);
    check();
    setTimeout(go, 1500);
  });
  setTimeout(go, 5000);
}

/** The search box: asks /api/search as one types; Enter or a click picks a hit. */
function searchBox(onChoose) {
  const input = h('input', {
    type: 'search', class: 'search-input', placeholder: t('map.search'), 'aria-label': t('map.search'),
    testid: 'map-search', autocomplete: 'off',
  });
  const list = h('ul', { class: 'search-results', testid: 'search-results', role: 'listbox', hidden: true });
  let hits = [];
  let asked = 0;
  const choose = (hit) => {
    list.hidden = true;
    input.value = hit.label || hit.code;
    onChoose(hit);
  };
  const show = () => {
    clear(list);
    if (!hits.length) {
      list.append(h('li', { class: 'muted empty-hit' }, t('map.searchNone')));
    }
    hits.forEach((hit) => list.append(h('li', null,
      h('button', { type: 'button', class: 'hit', testid: 'search-result', 'data-kind': hit.kind, 'data-code': hit.code, onclick: () => choose(hit) },
        h('span', { class: `kind kind-${hit.kind}` }, t(`map.kind.${hit.kind}`)),
        h('span', { class: 'hit-label' }, hit.label || hit.code)))));
    list.hidden = false;
  };
  const ask = debounce(async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) {
      list.hidden = true;
      return;
    }
    const found = await api.get('/api/search', { q }, { quiet: true }).catch(() => []);
    if (mine !== asked) return;
    hits = found || [];
    show();
  }, 250);
  input.addEventListener('input', ask);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && hits.length) {
      e.preventDefault();
      choose(hits[0]);
    } else if (e.key === 'Escape') list.hidden = true;
  });
  input.addEventListener('focus', () => { if (hits.length && input.value.trim()) list.hidden = false; });
  const box = h('div', { class: 'search' }, input, list);
  input.addEventListener('blur', () => setTimeout(() => { list.hidden = true; }, 200));
  box.choose = choose;
  return box;
}

/** The popup of a parcel (from the tile's properties). */
function parcelCard(p, townNames) {
  const zone = Number(p.zone || 0);
  return h('div', { class: 'popup', testid: 'parcel-popup' },
    h('div', { class: 'popup-title' }, h('strong', { class: 'code' }, p.code), classBadge(p.cls)),
    h('dl', { class: 'popup-facts' },
      h('dt', null, fieldLabel('town_name')), h('dd', null, townNames.get(p.town) || p.town || '—'),
      h('dt', null, fieldLabel('class')), h('dd', null, p.cls ? classLabel(p.cls) : t('map.unrated')),
      h('dt', null, fieldLabel('categories')), h('dd', null, categoryChips(p.cats) || t('map.noFinding')),
      h('dt', null, fieldLabel('area_mu')), h('dd', null, mu(p.mu)),
      zone ? [h('dt', null, fieldLabel('zone_no')), h('dd', null, t('map.zoneNo', { n: zone }))] : null),
    h('a', { class: 'popup-link', href: `#/parcel/${encodeURIComponent(p.code)}`, testid: 'popup-dossier-link' },
      `${t('map.openParcel')} →`));
}

function hitCard(hit) {
  const href = hit.kind === 'parcel' ? `#/parcel/${encodeURIComponent(hit.code)}` : `#/enterprise/${encodeURIComponent(hit.code)}`;
  return h('div', { class: 'popup', testid: 'search-popup' },
    h('div', { class: 'popup-title' }, h('strong', null, hit.label || hit.code)),
    h('a', { class: 'popup-link', href, testid: hit.kind === 'parcel' ? 'popup-dossier-link' : 'popup-enterprise-link' },
      `${hit.kind === 'parcel' ? t('map.openParcel') : t('map.openEnterprise')} →`));
}

function zoneCard(p) {
  return h('div', { class: 'popup', testid: 'zone-popup' },
    h('div', { class: 'popup-title' }, h('strong', null, t('map.zoneNo', { n: p.zone_no }))),
    h('dl', { class: 'popup-facts' },
      h('dt', null, fieldLabel('town_name')), h('dd', null, p.town_name || '—'),
      h('dt', null, t('zone.area')), h('dd', null, mu(p.area_mu)),
      p.parcel_count != null ? [h('dt', null, t('map.layer.parcels')), h('dd', null, num(p.parcel_count))] : null,
      h('dt', null, t('zone.verdict')), h('dd', null, p.verdict || '—')),
    h('div', { class: 'popup-links' },
      h('a', { class: 'popup-link', href: zoneHref(p.zone_no), testid: 'popup-zone-link' }, `${t('map.openZone')} →`),
      h('a', { href: `#/tables/zones?q=${encodeURIComponent(p.town_name || '')}`, testid: 'popup-zones-link' },
        `${t('tables.zones')} →`)));
}

/** Where to put a town's name: the centroid of its largest ring (the bbox centre as a fallback). */
function labelPoint(geometry) {
  if (!geometry) return null;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates]
    : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  let best = null;
  for (const polygon of polygons) {
    const ring = polygon[0];
    let area = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += cross;
      cx += (ring[j][0] + ring[i][0]) * cross;
      cy += (ring[j][1] + ring[i][1]) * cross;
    }
    if (area && (!best || Math.abs(area) > best.area)) best = { area: Math.abs(area), at: [cx / (3 * area), cy / (3 * area)] };
  }
  if (best) return best.at;
  const box = geometryBounds(geometry);
  return box ? [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] : null;
}
