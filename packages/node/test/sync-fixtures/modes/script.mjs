import { verify } from './report.mjs';

verify('script');
