<?php
/*
 * Plugin Name: Familienhub test fixture
 * Description: What a municipal WordPress typically adds: a custom post type for offers and
 * custom fields exposed to the REST API, both as registered `meta` and as ACF's `acf` object
 * (ACF itself is not packaged in Debian; this reproduces the shape of its REST output).
 */

const FHUB_FIELDS = array('alter', 'kosten', 'strasse', 'plz', 'ort');

add_action('init', function () {
    register_post_type('angebot', array(
        'label'        => 'Angebote',
        'public'       => true,
        'show_in_rest' => true,
        'rest_base'    => 'angebote',
        'has_archive'  => true,
        'taxonomies'   => array('category'),
        'supports'     => array('title', 'editor', 'excerpt', 'custom-fields'),
    ));
    foreach (array('post', 'angebot') as $type) {
        foreach (FHUB_FIELDS as $key) {
            register_post_meta($type, $key, array(
                'type' => 'string', 'single' => true, 'show_in_rest' => true,
            ));
        }
    }
});

add_action('rest_api_init', function () {
    register_rest_field(array('post', 'angebot'), 'acf', array(
        'get_callback' => function ($post) {
            $acf = array();
            foreach (FHUB_FIELDS as $key) {
                $value = get_post_meta($post['id'], $key, true);
                $acf[$key] = $value === '' ? false : $value;  // ACF answers false for empty fields
            }
            return $acf;
        },
    ));
});

// What security plugins such as "Disable REST API" do: refuse anonymous REST requests.
// The live test switches it on with the option `familienhub_rest_locked`.
add_filter('rest_authentication_errors', function ($result) {
    if (get_option('familienhub_rest_locked') && !is_user_logged_in()) {
        return new WP_Error('rest_cannot_access', 'Only authenticated users can access the REST API.',
            array('status' => rest_authorization_required_code()));
    }
    return $result;
});

// The test WordPress has no mail server: report mails as sent instead of calling sendmail.
add_filter('pre_wp_mail', '__return_true');
