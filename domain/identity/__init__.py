"""Who someone is: patients, registration, sign-in, codes, sessions and who may see what."""
