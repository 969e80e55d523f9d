-- 030_rotate_kept_versions.sql — `tetherctl rotate-key` re-encrypts the
-- copies of secrets kept for Revert (connection_secret_versions) like every
-- other secret, so no ciphertext stays under a retired data key.
GRANT UPDATE ON connection_secret_versions TO tether_app;
