package catalog.analysis;

import java.util.List;

import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Token filters for the catalog search analyzers, which the minimal Elasticsearch
 * distribution used locally (integ-test-zip, no analysis-common module) lacks.
 *
 * <ul>
 *   <li>{@code catalog_ascii_folding}: folds accented characters to ASCII ("Café" to "Cafe");
 *       also allowed in keyword normalizers.</li>
 *   <li>{@code catalog_english_possessive}: strips a trailing "'s" ("Men's" to "Men").</li>
 *   <li>{@code catalog_porter_stem}: Porter stemming for English; expects lowercased input.</li>
 *   <li>{@code catalog_edge_ngram}: replaces each token by its 1 to 20 character prefixes
 *       ("shoe" to "s", "sh", "sho", "shoe") for prefix matching.</li>
 * </ul>
 *
 * <p>This is a classic plugin rather than a stable-API one: Elasticsearch 8.x wraps stable
 * token filters in a factory that custom normalizers reject ("may not use filter").
 * Pre-configured filters need no settings; the boolean marks filters usable in normalizers.
 */
public class CatalogAnalysisPlugin extends Plugin implements AnalysisPlugin {

    private static final int EDGE_NGRAM_MIN = 1;
    private static final int EDGE_NGRAM_MAX = 20;

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("catalog_ascii_folding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("catalog_english_possessive", false, EnglishPossessiveFilter::new),
            PreConfiguredTokenFilter.singleton("catalog_porter_stem", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton(
                "catalog_edge_ngram",
                false,
                input -> new EdgeNGramTokenFilter(input, EDGE_NGRAM_MIN, EDGE_NGRAM_MAX, false)
            )
        );
    }
}
