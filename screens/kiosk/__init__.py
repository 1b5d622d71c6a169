"""The reception kiosk: welcome, registration, sign-in, home."""
