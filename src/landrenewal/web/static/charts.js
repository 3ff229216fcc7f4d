// ECharts, loaded on first use from the vendored copy, with one look for every chart.

const FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif';

let loading = null;

export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  loading = loading || new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/static/vendor/echarts.min.js';
    script.onload = () => resolve(window.echarts);
    script.onerror = () => {
      loading = null;
      reject(new Error('echarts.min.js could not be loaded'));
    };
    document.head.append(script);
  });
  return loading;
}

/** The options every chart shares: font, grid, tooltip, legend at the top. */
export function base(option) {
  return {
    textStyle: { fontFamily: FONT, color: '#1f2a37' },
    grid: { left: 16, right: 24, top: 70, bottom: 12, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    legend: { top: 4, type: 'scroll', textStyle: { fontFamily: FONT } },
    animationDuration: 300,
    ...option,
  };
}

/**
 * Draws ``option`` into ``el`` and keeps it sized with the element. Returns a function that
 * removes the chart (call it when the page is left).
 */
export async function drawChart(el, option) {
  const echarts = await loadECharts();
  if (!el.isConnected) return () => {};
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption(base(option));
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    observer.disconnect();
    chart.dispose();
  };
}

/** A group of charts on one page, removed together. */
export class Charts {
  constructor() {
    this.removers = [];
  }

  async draw(el, option) {
    const remove = await drawChart(el, option);
    this.removers.push(remove);
    return remove;
  }

  dispose() {
    for (const remove of this.removers.splice(0)) remove();
  }
}
