import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RoomSeries } from './series.js';

const PALETTE = ['#1a56c4', '#c4421a', '#2e8540', '#8a3ab9', '#b07d00', '#0f7c8c', '#6b6b6b'];

interface ChartSpec {
  readonly title: string;
  readonly unit: string;
  readonly labels: readonly string[];
}

/** One small time chart that keeps its series until their names change. */
class TimeChart {
  readonly element: HTMLElement;
  readonly #caption: HTMLElement;
  readonly #holder: HTMLElement;
  #plot: uPlot | null = null;
  #labels: readonly string[] = [];

  constructor(testId: string) {
    this.#caption = document.createElement('figcaption');
    this.#holder = document.createElement('div');
    this.element = document.createElement('figure');
    this.element.className = 'chart';
    this.element.dataset['testid'] = testId;
    this.element.append(this.#caption, this.#holder);
  }

  draw(spec: ChartSpec, data: uPlot.AlignedData, latest: string): void {
    this.#caption.textContent = `${spec.title}: ${latest}`;
    if (!this.#plot || spec.labels.join() !== this.#labels.join()) {
      this.#plot?.destroy();
      this.#labels = spec.labels;
      this.#plot = new uPlot(
        {
          width: 420,
          height: 160,
          legend: { show: spec.labels.length > 1 },
          scales: { x: { time: true } },
          axes: [{}, { label: spec.unit, size: 56 }],
          series: [
            {},
            ...spec.labels.map((label, index) => ({
              label,
              stroke: PALETTE[index % PALETTE.length] ?? '#000',
              width: 2,
              spanGaps: false,
            })),
          ],
        },
        data,
        this.#holder,
      );
      return;
    }
    this.#plot.setData(data);
  }

  destroy(): void {
    this.#plot?.destroy();
    this.#plot = null;
  }
}

const figure = (value: number | null | undefined, unit: string, digits = 0) =>
  value === null || value === undefined ? 'no data' : `${value.toFixed(digits)} ${unit}`;

/** Throughput, round trip and failures by code for the room on screen. */
export class RoomCharts {
  readonly element: HTMLElement;
  readonly #throughput = new TimeChart('chart-throughput');
  readonly #rtt = new TimeChart('chart-rtt');
  readonly #failures = new TimeChart('chart-failures');

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'charts';
    this.element.append(this.#throughput.element, this.#rtt.element, this.#failures.element);
  }

  update(series: RoomSeries): void {
    const samples = series.samples;
    const times = samples.map((sample) => sample.at);
    const kbps = samples.map((sample) =>
      sample.throughput === null ? null : sample.throughput / 1024,
    );
    this.#throughput.draw(
      { title: 'Throughput', unit: 'KB/s', labels: ['both ways'] },
      [times, kbps],
      figure(kbps.at(-1), 'KB/s', 1),
    );
    const p50 = samples.map((sample) => sample.rttP50Ms);
    const p95 = samples.map((sample) => sample.rttP95Ms);
    this.#rtt.draw(
      { title: 'Round trip to peers', unit: 'ms', labels: ['p50', 'p95'] },
      [times, p50, p95],
      `p50 ${figure(p50.at(-1), 'ms')}, p95 ${figure(p95.at(-1), 'ms')}`,
    );
    const codes = series.failureCodes();
    const latest = samples.at(-1)?.failed ?? {};
    this.#failures.draw(
      {
        title: 'Failed requests by code',
        unit: 'count',
        labels: codes.length > 0 ? codes : ['none'],
      },
      [
        times,
        ...(codes.length > 0 ? codes : ['none']).map((code) =>
          samples.map((s) => s.failed[code] ?? 0),
        ),
      ],
      codes.length > 0 ? codes.map((code) => `${code} ${latest[code] ?? 0}`).join(', ') : 'none',
    );
  }

  destroy(): void {
    this.#throughput.destroy();
    this.#rtt.destroy();
    this.#failures.destroy();
  }
}
