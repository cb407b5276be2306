<?php
/*
 * The municipal content of the test WordPress, created through WordPress itself
 * (wp_insert_term, wp_insert_post with custom fields). Prints the created ids as JSON.
 *     php seed.php <docroot>
 * Dates lie in the past, so that any edit made by a test is the newest modification.
 * Besides a few posts with custom fields, the site holds what municipal editors really publish:
 * prose posts (site-posts.php), WordPress' German "Hallo Welt!" and an Impressum page.
 */
$root = rtrim($argv[1], '/');
$_SERVER['HTTP_HOST'] = parse_url(getenv('FHUB_WP_URL'), PHP_URL_HOST);
$_SERVER['REQUEST_URI'] = '/';
require $root . '/wp-load.php';
wp_set_current_user(1);

function fhub_term($name, $slug) {
    $term = wp_insert_term($name, 'category', array('slug' => $slug));
    if (is_wp_error($term)) {
        fwrite(STDERR, $term->get_error_message() . "\n");
        exit(1);
    }
    return $term['term_id'];
}

$cats = array(
    'rund-um-die-geburt' => fhub_term('Rund um die Geburt', 'rund-um-die-geburt'),
    'eltern-cafe'        => fhub_term('Eltern-Café', 'eltern-cafe'),
    'stellenangebote'    => fhub_term('Stellenangebote', 'stellenangebote'),
);

$posts = array(
    'hebammensprechstunde' => array(
        'post_title'    => 'Hebammensprechstunde im Familienbüro',
        'post_excerpt'  => 'Offene Sprechstunde für Schwangere und junge Familien – ohne Anmeldung.',
        'post_content'  => "<!-- wp:paragraph -->\n<p>Unsere Familienhebamme berät Sie <strong>kostenlos</strong> zu Schwangerschaft, Geburt und der ersten Zeit mit dem Baby.</p>\n<!-- /wp:paragraph -->\n\n<p>Jeden Dienstag von 9 bis 12 Uhr im Familienbüro am Rathausplatz.</p>",
        'post_date'     => '2024-03-01 09:00:00',
        'post_category' => array($cats['rund-um-die-geburt']),
        'meta_input'    => array('alter' => 'werdende Eltern', 'kosten' => 'kostenlos',
                                 'strasse' => 'Niederwall 23', 'plz' => '33602', 'ort' => 'Bielefeld'),
    ),
    'eltern-cafe' => array(
        'post_title'    => 'Eltern-Café „Kleine Strolche“',
        'post_excerpt'  => 'Treffpunkt für Mütter, Väter und Babys im Stadtteilzentrum.',
        'post_content'  => "<p>Austausch, Kaffee und Spielzeug für die Kleinen: Das Eltern-Café ist offen für alle Familien mit Kindern bis drei Jahre.</p>\n<ul><li>Mittwochs 15–17 Uhr</li><li>Mit Fachberatung</li></ul>",
        'post_date'     => '2024-03-05 10:00:00',
        'post_category' => array($cats['eltern-cafe']),
        'meta_input'    => array('alter' => '0–3 Jahre', 'kosten' => 'kostenlos',
                                 'strasse' => 'Jöllenbecker Straße 5', 'plz' => '33613', 'ort' => 'Bielefeld'),
    ),
    'geburtsvorbereitung' => array(
        'post_title'    => 'Geburtsvorbereitung für Paare',
        'post_excerpt'  => '',
        'post_content'  => "<p>Ein Wochenendkurs für werdende Eltern: Atmung, Ablauf der Geburt &amp; Wochenbett.</p>",
        'post_date'     => '2024-03-10 11:30:00',
        'post_category' => array($cats['rund-um-die-geburt']),
        'meta_input'    => array('alter' => 'werdende Eltern', 'kosten' => '45 € pro Paar'),
    ),
    'stellenausschreibung' => array(
        'post_title'    => 'Stellenausschreibung: Sozialpädagogin/Sozialpädagoge (m/w/d)',
        'post_excerpt'  => 'Das Jugendamt sucht Verstärkung.',
        'post_content'  => '<p>Bewerbungen bis zum 30.04.2024.</p>',
        'post_date'     => '2024-03-12 08:00:00',
        'post_category' => array($cats['stellenangebote']),
    ),
    'babymassage' => array(
        'post_type'     => 'angebot',
        'post_title'    => 'Babymassage-Kurs',
        'post_excerpt'  => 'Sanfte Berührung für Babys ab sechs Wochen.',
        'post_content'  => '<p>Fünf Termine im Familienzentrum, Anmeldung erforderlich.</p>',
        'post_date'     => '2024-03-15 14:00:00',
        'post_category' => array($cats['rund-um-die-geburt']),
        'meta_input'    => array('alter' => 'ab 6 Wochen', 'kosten' => '30 €'),
    ),
);

require __DIR__ . '/site-posts.php';
$site = fhub_site_posts(array(
    'fruehe-hilfen'   => fhub_term('Frühe Hilfen', 'fruehe-hilfen'),
    'familienbildung' => fhub_term('Familienbildung', 'familienbildung'),
    'treffpunkte'     => fhub_term('Treffpunkte', 'treffpunkte'),
    'beratung'        => fhub_term('Beratung & Hilfe', 'beratung'),
));
$posts += $site['posts'];

$ids = fhub_german_defaults();
foreach ($posts as $key => $post) {
    $post += array('post_status' => 'publish', 'post_type' => 'post', 'post_author' => 1);
    $id = wp_insert_post(wp_slash($post), true);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    $ids[$key] = $id;
}
$cats += $site['categories'];
echo json_encode(array('categories' => $cats, 'posts' => $ids)), "\n";
