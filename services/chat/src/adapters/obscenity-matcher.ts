import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import type { ProfanityMatcher } from '../domain/moderation/policy.js';

/**
 * The `obscenity` English dataset (maintained; it caught the most obfuscations of the npm
 * filters tried) with its recommended transformers (repeated letters, more confusables), run on
 * text our own normaliser has already folded.
 */
export function obscenityMatcher(): ProfanityMatcher {
  const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return {
    matches: (normalised) =>
      matcher.getAllMatches(normalised).map((m) => ({
        start: m.startIndex,
        end: m.endIndex + 1,
        term: englishDataset.getPayloadWithPhraseMetadata(m).phraseMetadata?.originalWord ?? 'unknown',
      })),
  };
}
