"""The Salesforce layer: sign-in (OAuth PKCE), the keychain token store, and the batching API gateway."""
