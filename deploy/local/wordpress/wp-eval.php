<?php
/*
 * Run PHP code (read from stdin) inside the test WordPress, e.g. to change a post the way an
 * editor would (wp_update_post). Usage: php wp-eval.php <docroot> < code.php-fragment
 */
$root = rtrim($argv[1], '/');
$_SERVER['HTTP_HOST'] = parse_url(getenv('FHUB_WP_URL'), PHP_URL_HOST);
$_SERVER['REQUEST_URI'] = '/';
require $root . '/wp-load.php';
eval(stream_get_contents(STDIN));
