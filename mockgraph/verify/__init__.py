"""The contract verifier: scenarios run against any base URL, and their report."""
