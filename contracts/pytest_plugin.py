"""pytest plugin: options for running the contract suite against any base URL."""
