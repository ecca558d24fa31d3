"""Firebase Auth emulator harness (npm firebase-tools, run offline) for integration and e2e tests."""
