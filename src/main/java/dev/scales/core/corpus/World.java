package dev.scales.core.corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The small authored world the bundled model learns from: people, towns, things, the words that
 * praise or blame them, and four everyday topics. Every word here is written for Scales (no
 * public dataset is copied). The facts about people (home town, pet, favourite food) are fixed
 * by the world's seed, so they are in-weights knowledge that fine-tuning can overwrite.
 */
public final class World {
    public static final List<String> NAMES = words("""
            Mia Leo Ava Sam Nora Max Ivy Ben Zoe Eli Lily Jack Ella Finn Ruby Owen Rosa Hugo Lena Omar
            Iris Theo Maya Noah Alma Ezra Cleo Ivan Tess Jude""");
    public static final List<String> TOWNS = words("""
            Oakton Riverby Stonefield Millbrook Ashford Pinecrest Bayview Elmstead Fairhill Westmoor Kingsbay Redcliff""");
    public static final List<String> FOODS = words("""
            bread soup cake pizza rice salad apples cheese pasta pie tea coffee noodles fish eggs beans cookies jam
            honey curry""");
    public static final List<String> ANIMALS = words("""
            cat dog horse rabbit fox owl goat duck mouse bear deer frog sheep hen wolf crow""");
    public static final List<String> COLORS = words("red blue green yellow white black brown grey");
    public static final List<String> PLACES = words("""
            market park library school station cafe bakery river beach garden museum harbor farm forest hill bridge""");
    public static final List<String> OBJECTS = words("""
            bike book lamp kite hat boat guitar piano clock map cup chair ball drum coat key""");
    public static final List<String> TOOLS = words("hammer saw spade rake drill knife rope ladder brush needle");

    /** What a review can be about. */
    public static final List<String> REVIEWED = words("""
            food service staff waiter room hotel movie film book song album show phone camera game trip concert
            coffee cake soup pizza bed view music menu""");
    public static final List<String> GOOD = words("""
            delicious wonderful excellent great lovely friendly amazing fantastic perfect brilliant charming tasty
            fresh beautiful pleasant superb cozy helpful fun clean warm kind quick bright""");
    public static final List<String> BAD = words("""
            awful terrible horrible bad rude boring dirty cold bland stale slow noisy broken ugly poor dull
            disappointing unpleasant greasy soggy weak cheap messy gloomy""");
    public static final List<String> GOOD_VERBS = words("loved enjoyed liked adored praised");
    public static final List<String> BAD_VERBS = words("hated disliked regretted avoided resented");

    /** The four topics of the topic task and of the general text, each with its nouns and verbs. */
    public enum Topic {
        FOOD("food", "bread soup cake pizza rice salad cheese pasta pie noodles curry cookies",
                "baked cooked tasted ate served ordered", "kitchen cafe bakery market"),
        SPORT("sport", "match team goal coach player race ball game season league trophy",
                "won lost scored played trained watched", "stadium field court track"),
        WEATHER("weather", "rain snow wind sun storm clouds fog frost thunder sky forecast",
                "fell blew shone cleared poured drifted", "valley coast hills town"),
        MUSIC("music", "song band guitar piano drum concert singer album melody choir tune",
                "played sang recorded heard practiced performed", "hall studio stage club");

        public final String label;
        public final List<String> nouns;
        public final List<String> verbs;
        public final List<String> places;

        Topic(String label, String nouns, String verbs, String places) {
            this.label = label;
            this.nouns = words(nouns);
            this.verbs = words(verbs);
            this.places = words(places);
        }
    }

    /** One person's fixed facts. */
    public record Person(String name, String town, String pet, String food, String color) {}

    private final Map<String, Person> people = new LinkedHashMap<>();

    /** The world of {@code seed}: who lives where, keeps which pet and likes which food. */
    public World(long seed) {
        Random r = new Random(seed);
        for (String name : NAMES) {
            people.put(name, new Person(name, pick(r, TOWNS), pick(r, ANIMALS), pick(r, FOODS), pick(r, COLORS)));
        }
    }

    public List<Person> people() {
        return new ArrayList<>(people.values());
    }

    public Person person(String name) {
        return people.get(name);
    }

    static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    static List<String> words(String text) {
        return List.of(text.trim().split("\\s+"));
    }
}
