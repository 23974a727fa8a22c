/**
 * The plot area's offsets inside every chart. The hover maths (pixel → x) and the end-to-end tests'
 * readChartAt both depend on them, so they live here, free of React, importable from either.
 */
export const MARGIN = { top: 10, right: 20, bottom: 4, left: 4 };
export const Y_AXIS_WIDTH = 58;
