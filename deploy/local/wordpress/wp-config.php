<?php
/*
 * wp-config.php of the throw-away WordPress the live connector test runs (tests/support/wordpress.py).
 * Database and site address come from the environment, so one installed copy serves any port.
 */
define('DB_NAME', getenv('FHUB_WP_DB_NAME') ?: 'wordpress');
define('DB_USER', getenv('FHUB_WP_DB_USER') ?: 'wordpress');
define('DB_PASSWORD', getenv('FHUB_WP_DB_PASSWORD') ?: 'wordpress');
define('DB_HOST', getenv('FHUB_WP_DB_HOST') ?: '127.0.0.1');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', getenv('FHUB_WP_URL'));
define('WP_SITEURL', getenv('FHUB_WP_URL'));

define('AUTH_KEY', 'familienhub-test-only');
define('SECURE_AUTH_KEY', 'familienhub-test-only');
define('LOGGED_IN_KEY', 'familienhub-test-only');
define('NONCE_KEY', 'familienhub-test-only');
define('AUTH_SALT', 'familienhub-test-only');
define('SECURE_AUTH_SALT', 'familienhub-test-only');
define('LOGGED_IN_SALT', 'familienhub-test-only');
define('NONCE_SALT', 'familienhub-test-only');

define('WP_DEBUG', false);
define('WP_AUTO_UPDATE_CORE', false);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_ENVIRONMENT_TYPE', 'local');

$table_prefix = 'wp_';

if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
