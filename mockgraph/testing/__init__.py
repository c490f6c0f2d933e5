"""The test kit: interception of requests and httpx, request checks and Hypothesis strategies."""
