package catalog.analysis;

import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_ALL;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_NUMBERS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_WORDS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.GENERATE_WORD_PARTS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.IGNORE_KEYWORDS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.PRESERVE_ORIGINAL;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.SPLIT_ON_NUMERICS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/**
 * {@code word_delimiter_graph}: splits tokens on case changes, letter/digit boundaries and
 * intra-word delimiters ("WhisperKeys" to "Whisper", "Keys"; "usb-c" to "usb", "c"), optionally
 * catenating the parts ("usbc"). The stock boolean settings and their defaults, plus
 * {@code protected_words}; {@code type_table} is not provided.
 */
final class WordDelimiterGraphFactory extends AbstractTokenFilterFactory {

    private final int flags;
    private final boolean adjustOffsets;
    private final CharArraySet protectedWords;

    WordDelimiterGraphFactory(IndexSettings indexSettings, Environment environment, String name, Settings settings) {
        super(name);
        if (settings.get("type_table") != null || settings.get("type_table_path") != null) {
            throw new IllegalArgumentException("word_delimiter_graph [" + name + "]: type_table is not provided locally");
        }
        int flags = 0;
        flags |= flag(settings, "generate_word_parts", true, GENERATE_WORD_PARTS);
        flags |= flag(settings, "generate_number_parts", true, GENERATE_NUMBER_PARTS);
        flags |= flag(settings, "catenate_words", false, CATENATE_WORDS);
        flags |= flag(settings, "catenate_numbers", false, CATENATE_NUMBERS);
        flags |= flag(settings, "catenate_all", false, CATENATE_ALL);
        flags |= flag(settings, "split_on_case_change", true, SPLIT_ON_CASE_CHANGE);
        flags |= flag(settings, "preserve_original", false, PRESERVE_ORIGINAL);
        flags |= flag(settings, "split_on_numerics", true, SPLIT_ON_NUMERICS);
        flags |= flag(settings, "stem_english_possessive", true, STEM_ENGLISH_POSSESSIVE);
        flags |= flag(settings, "ignore_keywords", false, IGNORE_KEYWORDS);
        this.flags = flags;
        this.adjustOffsets = settings.getAsBoolean("adjust_offsets", true);
        this.protectedWords = Analysis.getWordSet(environment, settings, "protected_words");
    }

    private static int flag(Settings settings, String key, boolean defaultValue, int flag) {
        return settings.getAsBoolean(key, defaultValue) ? flag : 0;
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new WordDelimiterGraphFilter(input, adjustOffsets, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, flags, protectedWords);
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
        throw new IllegalArgumentException("Token filter [" + name() + "] cannot be used to parse synonyms");
    }
}
