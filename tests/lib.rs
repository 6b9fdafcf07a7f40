//! Integration tests live in api/; browser tests in e2e/.
