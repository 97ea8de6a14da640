package catalog.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.compound.CompoundWordTokenFilterBase;
import org.apache.lucene.analysis.compound.DictionaryCompoundWordTokenFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/**
 * {@code dictionary_decompounder}: adds, after each token of at least {@code min_word_size} (5)
 * characters, every part of it found in {@code word_list} ("wanderschuhe" to "wanderschuhe",
 * "wander", "schuhe"), parts being {@code min_subword_size} (2) to {@code max_subword_size} (15)
 * characters long; with {@code only_longest_match} (false), only the longest part starting at
 * each character. The list is inline only: {@code word_list_path} names a file on the nodes,
 * which a managed cluster does not allow, and is refused.
 */
final class DictionaryDecompounderFactory extends AbstractTokenFilterFactory {

    static final String SUPPORTED = "[word_list, min_word_size, min_subword_size, max_subword_size, only_longest_match]";

    private final CharArraySet wordList;
    private final int minWordSize;
    private final int minSubwordSize;
    private final int maxSubwordSize;
    private final boolean onlyLongestMatch;

    DictionaryDecompounderFactory(IndexSettings indexSettings, Environment environment, String name, Settings settings) {
        super(name);
        if (settings.get("word_list_path") != null) {
            throw new IllegalArgumentException(
                "dictionary_decompounder [" + name + "]: word_list_path is not provided locally (no files on nodes); supported: " + SUPPORTED
            );
        }
        this.wordList = Analysis.getWordSet(environment, settings, "word_list");
        if (wordList == null) {
            throw new IllegalArgumentException("dictionary_decompounder [" + name + "] requires [word_list]; supported: " + SUPPORTED);
        }
        this.minWordSize = settings.getAsInt("min_word_size", CompoundWordTokenFilterBase.DEFAULT_MIN_WORD_SIZE);
        this.minSubwordSize = settings.getAsInt("min_subword_size", CompoundWordTokenFilterBase.DEFAULT_MIN_SUBWORD_SIZE);
        this.maxSubwordSize = settings.getAsInt("max_subword_size", CompoundWordTokenFilterBase.DEFAULT_MAX_SUBWORD_SIZE);
        this.onlyLongestMatch = settings.getAsBoolean("only_longest_match", false);
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new DictionaryCompoundWordTokenFilter(input, wordList, minWordSize, minSubwordSize, maxSubwordSize, onlyLongestMatch);
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
        // As the stock filter: synonym rules are parsed without decompounding.
        return IDENTITY_FILTER;
    }
}
