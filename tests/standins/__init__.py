"""CRM stand-ins served over real HTTP(S), for worker processes (e2e tests) and benchmarks."""
