/** Run colours, by the run's position in the experiment: Tableau 10, then 6 more that stay distinct. */
const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#17becf',
];

export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}
