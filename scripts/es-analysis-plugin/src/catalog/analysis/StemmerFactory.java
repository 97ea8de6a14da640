package catalog.analysis;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.it.ItalianLightStemFilter;
import org.apache.lucene.analysis.pt.PortugueseLightStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.tartarus.snowball.ext.DutchStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;

/**
 * {@code stemmer}: the stemmer named by {@code language} (or {@code name}), {@code porter} by
 * default. Covers the stock languages of the English, German, French, Spanish, Italian, Dutch
 * and Portuguese families, each mapped to the Lucene filter the stock filter uses; any other
 * language is refused with the list of those provided.
 */
final class StemmerFactory extends AbstractTokenFilterFactory {

    private static final Map<String, UnaryOperator<TokenStream>> STEMMERS = new TreeMap<>();

    static {
        STEMMERS.put("english", PorterStemFilter::new);
        STEMMERS.put("porter", PorterStemFilter::new);
        STEMMERS.put("porter2", input -> new SnowballFilter(input, new EnglishStemmer()));
        STEMMERS.put("light_english", KStemFilter::new);
        STEMMERS.put("kstem", KStemFilter::new);
        STEMMERS.put("minimal_english", EnglishMinimalStemFilter::new);
        STEMMERS.put("possessive_english", EnglishPossessiveFilter::new);
        STEMMERS.put("german", input -> new SnowballFilter(input, new GermanStemmer()));
        STEMMERS.put("light_german", GermanLightStemFilter::new);
        STEMMERS.put("minimal_german", GermanMinimalStemFilter::new);
        STEMMERS.put("french", input -> new SnowballFilter(input, new FrenchStemmer()));
        STEMMERS.put("light_french", FrenchLightStemFilter::new);
        STEMMERS.put("minimal_french", FrenchMinimalStemFilter::new);
        STEMMERS.put("spanish", input -> new SnowballFilter(input, new SpanishStemmer()));
        STEMMERS.put("light_spanish", SpanishLightStemFilter::new);
        STEMMERS.put("italian", input -> new SnowballFilter(input, new ItalianStemmer()));
        STEMMERS.put("light_italian", ItalianLightStemFilter::new);
        STEMMERS.put("dutch", input -> new SnowballFilter(input, new DutchStemmer()));
        STEMMERS.put("portuguese", input -> new SnowballFilter(input, new PortugueseStemmer()));
        STEMMERS.put("light_portuguese", PortugueseLightStemFilter::new);
    }

    private final UnaryOperator<TokenStream> stemmer;

    StemmerFactory(String name, Settings settings) {
        super(name);
        String language = settings.get("language", settings.get("name", "porter")).toLowerCase(Locale.ROOT);
        this.stemmer = STEMMERS.get(language);
        if (stemmer == null) {
            throw new IllegalArgumentException(
                "stemmer [" + name + "]: language [" + language + "] is not provided locally; provided: " + STEMMERS.keySet()
            );
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return stemmer.apply(input);
    }
}
