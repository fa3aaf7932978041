// The benchmark helpers live in the common package so services' benchmarks share them.
export { benchResult, type Figure, figure, percentile, report, round, rssMiB } from '@medvault/common/testing';
