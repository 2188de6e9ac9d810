-- Each password hash names the algorithm it was made with, beside the salt and the iteration count
-- already kept, so the policy can change (more iterations, another algorithm) and a weaker hash be
-- replaced at its owner's next sign-in. Every hash made before this column existed is PBKDF2 with
-- HMAC-SHA256.
ALTER TABLE app_user ADD COLUMN algorithm VARCHAR(32) DEFAULT 'PBKDF2-HMAC-SHA256' NOT NULL;
