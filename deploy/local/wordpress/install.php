<?php
/*
 * Install WordPress through WordPress itself (wp_install, as wp-admin/install.php does), with
 * German settings and pretty permalinks. Run with the FHUB_WP_* environment of wp-config.php:
 *     php install.php <docroot>
 */
define('WP_INSTALLING', true);
$root = rtrim($argv[1], '/');
$_SERVER['HTTP_HOST'] = parse_url(getenv('FHUB_WP_URL'), PHP_URL_HOST);
$_SERVER['REQUEST_URI'] = '/';
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (is_blog_installed()) {
    fwrite(STDERR, "already installed\n");
    exit(0);
}
$result = wp_install('Jugendamt Musterstadt – Frühe Hilfen', 'redaktion', 'redaktion@example.org',
    true, '', 'familienhub-test-only');
update_option('timezone_string', 'Europe/Berlin');
update_option('date_format', 'd.m.Y');
update_option('blogdescription', 'Angebote für Familien von der Schwangerschaft bis zur Einschulung');
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
update_option('rewrite_rules', '');
echo json_encode(array('user_id' => $result['user_id'])), "\n";
