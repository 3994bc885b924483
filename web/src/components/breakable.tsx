import type { ComponentChild } from 'preact';

/**
 * A name or key that may wrap after its separators (/ _ - .), not wherever the
 * box ends: "resnet-lr0.003-" over "bs128-adam", "eval/imagenet_sketch/" over
 * "acc". A dot before a digit is a decimal point, not a separator, so
 * "lr0.003" stays whole. Chromium breaks after "-" only before a letter
 * ("bert-ft-02" had no break before "02"), hence a <wbr> there too.
 */
export function breakable(text: string): ComponentChild[] {
  return text
    .split(/(?<=[/_-]|\.(?!\d))/)
    .flatMap((part, index) => (index === 0 ? [part] : [<wbr key={index} />, part]));
}
