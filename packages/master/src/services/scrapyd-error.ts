/**
 * An application error of the Scrapyd API. Its message is the exact text clients see (docs/scrapyd-api.md §1.4); it is always
 * answered with HTTP 200 and `status: "error"`.
 */
export class ScrapydError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapydError';
  }
}

export const notFound = {
  project: (p: string) => new ScrapydError(`project '${p}' not found`),
  version: (v: string) => new ScrapydError(`version '${v}' not found`),
  spider: (s: string) => new ScrapydError(`spider '${s}' not found`),
};
