package catalog.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.synonyms.SynonymsManagementAPIService;

/**
 * {@code synonym_graph}: rules from {@code synonyms} (inline, Solr or WordNet {@code format}) or
 * from a {@code synonyms_set} of the synonyms API; {@code expand} (true), {@code lenient} (skip
 * rules that do not parse) and {@code updateable} (search-time only, reloadable) as in the stock
 * filter. Rules are analyzed by the chain that precedes the filter, as stock rules are.
 *
 * <p>As in the stock filter, a synonyms set is read only when search analyzers are reloaded
 * (the synonyms API does that after every change), never while an index is being created on
 * the master, which must not block on a search.
 */
final class SynonymGraphFactory extends AbstractTokenFilterFactory {

    private final Settings settings;
    private final Environment environment;
    private final Supplier<SynonymsManagementAPIService> synonymsService;
    private final boolean expand;
    private final boolean lenient;
    private final boolean wordnet;
    private final AnalysisMode analysisMode;

    SynonymGraphFactory(
        IndexSettings indexSettings,
        Environment environment,
        String name,
        Settings settings,
        Supplier<SynonymsManagementAPIService> synonymsService
    ) {
        super(name);
        this.settings = settings;
        this.environment = environment;
        this.synonymsService = synonymsService;
        this.expand = settings.getAsBoolean("expand", true);
        boolean updateable = settings.getAsBoolean("updateable", false);
        this.lenient = settings.getAsBoolean("lenient", updateable);
        this.wordnet = "wordnet".equalsIgnoreCase(settings.get("format", ""));
        this.analysisMode = updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
        if (!settings.hasValue("synonyms") && !settings.hasValue("synonyms_set")) {
            throw new IllegalArgumentException("synonym_graph [" + name + "] requires `synonyms` or `synonyms_set` to be configured");
        }
        if (settings.hasValue("synonyms_set") && !updateable) {
            throw new IllegalArgumentException(
                "Can't apply [synonyms_set]! Loading synonyms from index is supported only for search time synonyms!"
            );
        }
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return analysisMode;
    }

    @Override
    public TokenStream create(TokenStream input) {
        throw new IllegalStateException("synonym_graph [" + name() + "] must be specialized for its analysis chain first");
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        Analyzer ruleAnalyzer = new CustomAnalyzer(
            tokenizer,
            charFilters.toArray(new CharFilterFactory[0]),
            previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
        );
        String synonymsSet = settings.get("synonyms_set");
        SynonymMap synonyms = build(ruleAnalyzer, rules(context, synonymsSet));
        String name = name();
        AnalysisMode mode = analysisMode;
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream input) {
                return synonyms.fst == null ? input : new SynonymGraphFilter(input, synonyms, false);
            }

            @Override
            public TokenFilterFactory getSynonymFilter() {
                // Chained synonym filters must not rewrite each other's rules.
                return IDENTITY_FILTER;
            }

            @Override
            public AnalysisMode getAnalysisMode() {
                return mode;
            }

            @Override
            public Set<String> getResourceNames() {
                return synonymsSet == null ? Set.of() : Set.of(synonymsSet);
            }
        };
    }

    private String rules(IndexCreationContext context, String synonymsSet) {
        if (synonymsSet == null) {
            return String.join("\n", Analysis.getWordList(environment, settings, "synonyms"));
        }
        if (context != IndexCreationContext.RELOAD_ANALYZERS) {
            return "";
        }
        try (Reader reader = Analysis.getReaderFromIndex(Set.of(synonymsSet), synonymsService.get(), lenient)) {
            StringBuilder text = new StringBuilder();
            reader.transferTo(new java.io.Writer() {
                @Override
                public void write(char[] buffer, int offset, int length) {
                    text.append(buffer, offset, length);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            });
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SynonymMap build(Analyzer analyzer, String rules) {
        try {
            return parse(analyzer, lenient && !wordnet ? parsableRules(analyzer, rules) : rules);
        } catch (Exception e) {
            throw new IllegalArgumentException("failed to build synonyms for [" + name() + "]: " + e.getMessage(), e);
        }
    }

    /** The Solr-format rules that parse on their own: what {@code lenient} keeps. */
    private String parsableRules(Analyzer analyzer, String rules) throws IOException {
        StringBuilder kept = new StringBuilder();
        BufferedReader lines = new BufferedReader(new StringReader(rules));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            try {
                parse(analyzer, line);
                kept.append(line).append('\n');
            } catch (Exception e) {
                // skipped, as the stock lenient parser skips it
            }
        }
        return kept.toString();
    }

    private SynonymMap parse(Analyzer analyzer, String rules) throws IOException, java.text.ParseException {
        SynonymMap.Parser parser = wordnet ? new WordnetSynonymParser(true, expand, analyzer) : new SolrSynonymParser(true, expand, analyzer);
        parser.parse(new StringReader(rules));
        return parser.build();
    }
}
