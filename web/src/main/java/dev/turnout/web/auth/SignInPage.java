package dev.turnout.web.auth;

/** The sign-in form: its CSRF token (also in the browser's sign-in cookie), the name typed, and why it failed. */
public record SignInPage(String csrf, String name, String message) {}
