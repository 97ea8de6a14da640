package catalog.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter.StemmerOverrideMap;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;

/**
 * {@code stemmer_override}: rules {@code "token1[, ..., tokenN] => override"} (from {@code rules} or
 * {@code rules_path}, one is required) replace a token and protect the result from the stemmers
 * after it, as the stock filter does; a rule without exactly one {@code =>}, or with an empty
 * token or override, is refused.
 */
final class StemmerOverrideFactory extends AbstractTokenFilterFactory {

    private final StemmerOverrideMap overrides;

    StemmerOverrideFactory(IndexSettings indexSettings, Environment environment, String name, Settings settings) {
        super(name);
        List<String> rules = Analysis.getWordList(environment, settings, "rules");
        if (rules == null) {
            throw new IllegalArgumentException("stemmer override filter requires either `rules` or `rules_path` to be configured");
        }
        StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
        for (String rule : rules) {
            String[] sides = rule.split("=>", -1);
            String override = sides.length == 2 ? sides[1].trim() : "";
            if (override.isEmpty() || override.indexOf(',') != -1) {
                throw new IllegalArgumentException("Invalid Keyword override Rule:" + rule);
            }
            for (String token : sides[0].split(",", -1)) {
                if (token.trim().isEmpty()) {
                    throw new IllegalArgumentException("Invalid Keyword override Rule:" + rule);
                }
                builder.add(token.trim(), override);
            }
        }
        try {
            this.overrides = builder.build();
        } catch (IOException error) {
            throw new UncheckedIOException(error);
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new StemmerOverrideFilter(input, overrides);
    }
}
