import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini carries no error messages of its own (every issue would read
 * "Invalid input"); the API promises the English ones that name what was
 * expected ("expected array, received undefined"). Every module that validates
 * imports this one for its effect, so the messages are in place before any parse.
 */
z.config(en());
