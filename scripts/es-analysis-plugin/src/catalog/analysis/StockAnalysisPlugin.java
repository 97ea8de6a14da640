package catalog.analysis;

import java.util.Map;
import java.util.TreeMap;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.de.GermanNormalizationFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Registers, under their stock names, the token filters and tokenizers of Elasticsearch's analysis-common
 * module that the catalog's index uses. The minimal distribution Maven Central serves
 * (integ-test-zip) lacks that module; every official image and managed cluster has it. With
 * this plugin installed locally, one index definition runs unchanged on all of them.
 *
 * <p>Each filter takes the stock settings, with the stock defaults, and builds the same Lucene
 * filter as the stock one. Only the names below are provided; an index naming any other
 * analysis-common component fails to build locally, which the test suite would show.
 */
public class StockAnalysisPlugin extends Plugin implements AnalysisPlugin {


    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
        filters.put("asciifolding", (indexSettings, environment, name, settings) -> new AsciiFoldingFactory(name, settings));
        filters.put("dictionary_decompounder", AnalysisPlugin.requiresAnalysisSettings(DictionaryDecompounderFactory::new));
        filters.put("edge_ngram", (indexSettings, environment, name, settings) -> new EdgeNGramFactory(name, settings));
        filters.put("elision", AnalysisPlugin.requiresAnalysisSettings(ElisionFactory::new));
        filters.put("flatten_graph", (indexSettings, environment, name, settings) -> new FlattenGraphFactory(name));
        filters.put("german_normalization", (indexSettings, environment, name, settings) -> new GermanNormalizationFactory(name));
        filters.put("remove_duplicates", (indexSettings, environment, name, settings) -> new RemoveDuplicatesFactory(name));
        filters.put("stemmer", (indexSettings, environment, name, settings) -> new StemmerFactory(name, settings));
        filters.put("stemmer_override", AnalysisPlugin.requiresAnalysisSettings(StemmerOverrideFactory::new));
        filters.put("word_delimiter_graph", WordDelimiterGraphFactory::new);
        return filters;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("whitespace", (indexSettings, environment, name, settings) -> {
            int maxTokenLength = settings.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> new WhitespaceTokenizer(maxTokenLength));
        });
    }

    /** Flattens a token graph (from word_delimiter_graph) for indexing. */
    static final class FlattenGraphFactory extends AbstractTokenFilterFactory {
        FlattenGraphFactory(String name) {
            super(name);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new FlattenGraphFilter(input);
        }
    }

    /** Drops a token equal to one before it at the same position (a compound's part stemmed as the whole word is). */
    static final class RemoveDuplicatesFactory extends AbstractTokenFilterFactory {
        RemoveDuplicatesFactory(String name) {
            super(name);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new RemoveDuplicatesTokenFilter(input);
        }
    }

    /** German umlaut and sharp-s normalization; usable in keyword normalizers, as the stock one is. */
    static final class GermanNormalizationFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        GermanNormalizationFactory(String name) {
            super(name);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new GermanNormalizationFilter(input);
        }
    }
}
